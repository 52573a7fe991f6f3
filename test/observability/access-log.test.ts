import { expect } from 'chai';
import { AccessLog } from '../../src/observability/access-log.js';
import type { SoapAnswer } from '../../src/soap/soap-dispatcher.js';

/** The access log's line, written by hand for speed: it must still be the JSON an object would give. */
describe('access log line', function () {
  const answer = { operation: 'GetOrder', bodId: 'b"1\\<x>', orderId: '900', outcome: 'bod_error', code: 'ORDER_NOT_FOUND', messageId: 'in-7', user: 'shop', replayed: false } as unknown as SoapAnswer;

  function lines(debug: boolean, a: SoapAnswer | undefined): Record<string, unknown>[] {
    const out: string[] = [];
    const log = new AccessLog((c) => out.push(c), debug);
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
});
