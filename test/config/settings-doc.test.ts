import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS, settingsMarkdown } from '../../src/config/settings.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

describe('docs/configuration.md follows the settings table', function () {
  it('holds the table generated from src/config/settings.ts, unchanged', function () {
    const doc = readFileSync(join(PACKAGE_ROOT, 'docs', 'configuration.md'), 'utf8');
    const m = /<!-- settings:begin[^>]*-->\n([\s\S]*?)\n<!-- settings:end -->/.exec(doc);
    expect(m, 'settings markers missing').to.not.equal(null);
    expect(m![1]!.trim(), 'regenerate the block from settingsMarkdown()').to.equal(settingsMarkdown());
  });

  it('names every documented setting once, with its variable', function () {
    const doc = readFileSync(join(PACKAGE_ROOT, 'docs', 'configuration.md'), 'utf8');
    for (const s of SETTINGS.filter((x) => !x.internal)) {
      expect(doc).to.contain(`| \`${s.key}\` |`);
      if (s.env) expect(doc).to.contain(`\`${s.env}\``);
    }
  });
});
