import { expect } from 'chai';
import { describeExit, httpRequest, ProcessWorld, sleep, soapPost, useProcessWorlds } from '../support/process-world.js';
import { availabilityNouns, getAvailabilityBod, INVENTORY_PATH, itemAtOnline, soap11, type PostResult } from '../support/test-app.js';
import { child } from '../../src/xml/xml-element.js';
import { readXml } from '../../src/xml/xml-reader.js';

/**
 * Graceful shutdown of the real process: SIGTERM while a request is in flight. The CLI closes the HTTP listener
 * (new connections are refused), lets the in-flight request finish, stops the relays, closes the store and exits 0.
 * The in-flight request is a GetInventoryAvailability that misses the cache and waits on a DOM made slow (1 s).
 */
describe('reliability: SIGTERM with a request in flight (real process)', function () {
  this.timeout(30_000);
  useProcessWorlds('each');

  const SLOW_MS = 1_000;

  async function slowWorld(): Promise<ProcessWorld> {
    const w = await ProcessWorld.start();
    await w.setFailureMode({ mode: 'slow', delayMs: SLOW_MS, port: 'inventory' });
    return w;
  }

  /** A fresh database caches nothing: this Get asks DOM, and DOM answers after SLOW_MS. */
  const missGet = () => soap11(getAvailabilityBod(itemAtOnline('20312', '10201')));

  async function expectRefused(w: ProcessWorld): Promise<string> {
    try {
      const r = await httpRequest('GET', `${w.facadeUrl}/healthz`, undefined, {}, 2_000);
      throw new Error(`a new connection after SIGTERM was answered ${r.status}`);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      expect(code, String(e)).to.equal('ECONNREFUSED');
      return code;
    }
  }

  function expectShow(r: PostResult): void {
    expect(r.status, r.text).to.equal(200);
    expect(r.body.name).to.equal('ShowInventoryAvailability');
    const [noun] = availabilityNouns(r.body);
    expect(noun, r.text).to.include({ catentryId: '20312', location: 'online:10201', status: 'Available' });
  }

  it('a one-shot client (Connection: close): the in-flight Get is answered, new connections are refused, the process exits 0', async function () {
    const w = await slowWorld();
    const started = Date.now();
    let settledAt = 0;
    const inFlight = soapPost(w.facadeUrl, INVENTORY_PATH, missGet()).finally(() => (settledAt = Date.now()));
    await sleep(250); // the request is now waiting on DOM
    const termAt = Date.now();
    w.facade.signal('SIGTERM');
    await sleep(150);
    expect(settledAt, 'the Get must still be in flight when the listener is checked').to.equal(0);
    await expectRefused(w);

    expectShow(await inFlight);
    expect(settledAt - started, 'the answer waited for DOM').to.be.at.least(SLOW_MS - 50);
    const exit = await w.facade.waitForExit(10_000);
    expect({ code: exit.code, signal: exit.signal }, `${describeExit(exit)}\n${w.output()}`).to.deep.equal({ code: 0, signal: null });
    console.log(`      SIGTERM → answer ${settledAt - termAt} ms, SIGTERM → exit ${Date.now() - termAt} ms`);
  });

  it('regression: a keep-alive client (fetch): the in-flight Get is answered, and the connection it leaves idle must not hold the exit for the 65 s keep-alive timeout', async function () {
    const w = await slowWorld();
    let settledAt = 0;
    // fetch pools the connection (keep-alive), as storefront SOAP stacks do.
    const inFlight = fetch(w.facadeUrl + INVENTORY_PATH, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' }, body: missGet() })
      .then(async (res) => ({ status: res.status, text: await res.text(), connection: res.headers.get('connection') }))
      .finally(() => (settledAt = Date.now()));
    await sleep(250);
    const termAt = Date.now();
    w.facade.signal('SIGTERM');
    await sleep(150);
    expect(settledAt).to.equal(0);
    await expectRefused(w);

    const answer = await inFlight;
    const env = readXml(answer.text);
    expectShow({ status: answer.status, contentType: '', text: answer.text, body: child(env, env.ns, 'Body')!.children[0]! });
    // Must exit well within the server's keep-alive timeout (65 s): a closing server answers "Connection: close"
    // or closes the connection once idle, instead of keeping it open for the next request.
    const exit = await w.facade.waitForExit(10_000).catch((e: Error) => {
      throw new Error(`${e.message}; the in-flight answer said Connection: ${answer.connection}\n${w.output()}`);
    });
    expect({ code: exit.code, signal: exit.signal }, `${describeExit(exit)}\n${w.output()}`).to.deep.equal({ code: 0, signal: null });
    console.log(`      SIGTERM → answer ${settledAt - termAt} ms (Connection: ${answer.connection}), SIGTERM → exit ${Date.now() - termAt} ms`);
  });
});
