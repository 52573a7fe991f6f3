import { expect } from 'chai';
import { createLogger, silentLogger, type LogLevel } from '../../src/log/logger.js';

describe('logger', function () {
  const capture = (level: LogLevel, base: Record<string, unknown> = {}) => {
    const lines: Record<string, unknown>[] = [];
    return { log: createLogger(level, base, (l) => lines.push(JSON.parse(l) as Record<string, unknown>)), lines };
  };

  it('writes one JSON object a line: time, level, message, then the base and the fields', function () {
    const { log, lines } = capture('info', { service: 'dombridge' });
    log.child({ operation: 'ProcessOrder', bodId: 'b-1' }).warn('DOM could not reserve', { orderId: '1001', bodId: 'b-2' });
    log.debug('not written');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 'warn', msg: 'DOM could not reserve', service: 'dombridge', operation: 'ProcessOrder', orderId: '1001', bodId: 'b-2' });
    expect(lines[0]!['time']).to.match(/^\d{4}-\d\d-\d\dT/);
  });

  it('writes an Error field as its message; the stack only at debug level', function () {
    const boom = new Error('DOM answered nonsense');
    const info = capture('info');
    info.log.error('request failed', { error: boom, orderId: '1001' });
    expect(info.lines[0]).to.deep.include({ error: 'DOM answered nonsense', orderId: '1001' });
    expect(info.lines[0]).to.not.have.property('errorStack');
    const debug = capture('debug');
    debug.log.child({ cause: boom }).error('request failed');
    expect(debug.lines[0]).to.include({ cause: 'DOM answered nonsense' });
    expect(debug.lines[0]!['causeStack']).to.contain('DOM answered nonsense').and.to.contain('logger.test');
  });

  it('a silent logger makes no children', function () {
    expect(silentLogger.child({ bodId: 'x' })).to.equal(silentLogger);
  });

  it('a child of a child has its parents\' fields, the nearest winning, and leaves its parent as it was', function () {
    const { log, lines } = capture('info', { service: 'dombridge' });
    const request = log.child({ component: 'inventory', bodId: 'b-1' });
    request.child({ bodId: 'b-2', orderId: '7' }).info('inner');
    request.info('outer');
    expect(lines[0]).to.include({ service: 'dombridge', component: 'inventory', bodId: 'b-2', orderId: '7' });
    expect(lines[1]).to.include({ component: 'inventory', bodId: 'b-1' }).and.not.have.property('orderId');
  });

  it('writes ready lines (writeLines) to its sink one line at a time, only when their level is on', function () {
    const { log, lines } = capture('info');
    log.writeLines!(Buffer.from('{"msg":"a"}\n{"msg":"ü"}\n'), 'info');
    log.writeLines!(Buffer.from('{"msg":"hidden"}\n'), 'debug');
    expect(lines).to.deep.equal([{ msg: 'a' }, { msg: 'ü' }]);
  });
});
