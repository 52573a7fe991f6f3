import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERRORS, formatMessage, type ErrorCode } from '../../src/errors/error-catalogue.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

/** The error catalogue, docs/errors.md and the code stay in step: clients and runbooks key on these codes. */
describe('error catalogue', function () {
  const section = readFileSync(join(PACKAGE_ROOT, 'docs', 'errors.md'), 'utf8');
  const codes = Object.keys(ERRORS) as ErrorCode[];

  it('every code is documented in docs/errors.md, which names no code that does not exist', function () {
    const documented = new Set([...section.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
    expect(codes.filter((c) => !documented.has(c)), 'missing from docs/errors.md').to.deep.equal([]);
    expect([...documented].filter((c) => !(c in ERRORS)), 'in docs/errors.md but not in the catalogue').to.deep.equal([]);
  });

  it('faults and BOD errors are listed under their own heading', function () {
    const [faults, bods] = section.split('BOD errors');
    for (const c of codes) {
      const where = ERRORS[c].kind === 'fault' ? faults! : bods!;
      expect(where, `${c} under the ${ERRORS[c].kind} heading`).to.contain(`\`${c}\``);
    }
  });

  it('every fault names its side, and every message fills all its placeholders from named params', function () {
    for (const c of codes) {
      const def = ERRORS[c];
      if (def.kind === 'fault') expect('side' in def && def.side, c).to.be.a('string');
      const names = [...def.message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const filled = formatMessage(c, Object.fromEntries(names.map((n) => [n, 'x'])));
      expect(filled, c).not.to.match(/\{\w+\}/);
    }
  });
});
