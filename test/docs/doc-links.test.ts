import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect } from 'chai';
import { PACKAGE_ROOT } from '../../src/paths.js';

/** README.md, CHANGELOG.md and every Markdown file under docs/. */
function documents(): string[] {
  const docs: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.md')) docs.push(join(dir, e.name));
    }
  };
  walk(join(PACKAGE_ROOT, 'docs'));
  return [join(PACKAGE_ROOT, 'README.md'), join(PACKAGE_ROOT, 'CHANGELOG.md'), ...docs];
}

/** Relative link targets of a Markdown text (`[text](target)`), without their #anchor; web and mail links left out. */
function relativeLinks(text: string): string[] {
  const withoutCode = text.replace(/```[\s\S]*?```/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1]!)
    .filter((t) => !/^(https?:|mailto:|#)/.test(t))
    .map((t) => decodeURIComponent(t.split('#')[0]!));
}

describe('documentation', () => {
  it('every relative link in README.md, CHANGELOG.md and docs/ names a file or folder that exists', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of documents()) {
      for (const target of relativeLinks(readFileSync(file, 'utf8'))) {
        checked++;
        if (!existsSync(join(dirname(file), target))) broken.push(`${relative(PACKAGE_ROOT, file)} → ${target}`);
      }
    }
    expect(broken).to.deep.equal([]);
    expect(checked, 'links were found to check').to.be.above(10);
  });

  it('the README is a front page: it links every document in docs/', () => {
    const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
    const linked = new Set(relativeLinks(readme));
    const top = readdirSync(join(PACKAGE_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
    expect(top.filter((d) => !linked.has(d))).to.deep.equal([]);
  });

  it("package.json's version is the changelog's latest entry", () => {
    const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
    const latest = /^- (\d+\.\d+\.\d+) —/m.exec(readFileSync(join(PACKAGE_ROOT, 'CHANGELOG.md'), 'utf8'))?.[1];
    expect(version).to.equal(latest);
  });
});
