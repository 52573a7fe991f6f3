import { expect } from 'chai';
import { AccessLog } from '../../src/observability/access-log.js';
import type { SoapAnswer } from '../../src/soap/soap-dispatcher.js';

/** The access log's line, written by hand for speed: it must still be the JSON an object would give. */
describe('access log line', function () {
  const answer = { operation: 'GetOrder', bodId: 'b"1\\<x>', orderId: '900', outcome: 'bod_error', code: 'ORDER_NOT_FOUND', messageId: 'in-7', user: 'shop', replayed: false } as unknown as SoapAnswer;

  function lines(debug: boolean, a: SoapAnswer | undefined): Record<string, unknown>[] {
    const out: string[] = [];
    const log = new AccessLog((c) => out.push(c.toString('utf8')), debug);
    log.line({ method: 'POST', path: '/p', status: 200, durationMs: 1.23456, answer: a }, () => ({ remoteAddress: '127.0.0.1', bytesIn: 10, bytesOut: 20 }));
    log.flush();
    const text = out.join('');
    expect(text.endsWith('\n')).to.equal(true);
    return text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  it('at info: the fields in order, strings escaped, undefined left out, null kept', function () {
    const [l] = lines(false, answer);
    expect(Object.keys(l!)).to.deep.equal(['time', 'level', 'msg', 'method', 'path', 'operation', 'bodId', 'orderId', 'outcome', 'code', 'status', 'durationMs', 'messageId']);
    expect(l).to.include({ level: 'info', msg: 'request', bodId: 'b"1\\<x>', status: 200, durationMs: 1.235, messageId: 'in-7' });
    const [n] = lines(false, { ...answer, bodId: null, code: undefined } as unknown as SoapAnswer);
    expect(n).to.include({ bodId: null }).and.not.have.property('code');
    const [bare] = lines(false, undefined);
    expect(Object.keys(bare!)).to.deep.equal(['time', 'level', 'msg', 'method', 'path', 'status', 'durationMs']);
  });

  it('at debug: who, from where, the sizes and whether replayed follow', function () {
    const [l] = lines(true, answer);
    expect(l).to.include({ user: 'shop', remote: '127.0.0.1', bytesIn: 10, bytesOut: 20, replayed: false });
  });

  it('escapes as JSON.stringify does: control characters, lone surrogates, and keeps other text as UTF-8', function () {
    for (const bodId of ['tab\there', 'nul\u0000', 'lone \ud800 high', 'pair \ud83d\ude00 emoji', 'Grüße – ✓', 'quote " and \\']) {
      const [l] = lines(false, { ...answer, bodId } as unknown as SoapAnswer);
      expect(l!['bodId']).to.equal(JSON.parse(JSON.stringify(bodId)));
    }
  });

  it('writes the time as toISOString does, the milliseconds padded', function () {
    const before = Date.now();
    const [l] = lines(false, answer);
    const time = String(l!['time']);
    expect(time).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(new Date(time).toISOString()).to.equal(time);
    expect(Date.parse(time)).to.be.within(before, Date.now());
  });

  it('keeps every line whole across chunks, a line longer than the buffer included', function () {
    const out: Buffer[] = [];
    const log = new AccessLog((c) => out.push(Buffer.from(c)), false);
    const long = 'ü'.repeat(40_000);
    for (let i = 0; i < 2000; i++) log.line({ method: 'POST', path: i === 1000 ? `/${long}` : '/p', status: 200, durationMs: i, answer: { ...answer, messageId: `in-${i}` } as unknown as SoapAnswer });
    log.flush();
    expect(out.length).to.be.greaterThan(2);
    const parsed = Buffer.concat(out).toString('utf8').trim().split('\n').map((t) => JSON.parse(t) as Record<string, unknown>);
    expect(parsed.map((p) => p['messageId'])).to.deep.equal(Array.from({ length: 2000 }, (_, i) => `in-${i}`));
    expect(parsed[1000]!['path']).to.equal(`/${long}`);
  });
});
