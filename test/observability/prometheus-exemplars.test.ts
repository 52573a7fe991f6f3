import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { freePort } from '../support/process-world.js';
import { scratchDir } from '../support/scratch.js';
import { getAvailabilityBod, INVENTORY_PATH, itemAtOnline, post, soap11, startWorld, type TestWorld } from '../support/test-app.js';
import { eventually } from '../support/order-bods.js';

const PROMETHEUS = '/usr/bin/prometheus';

interface ExemplarSeries {
  readonly seriesLabels: Record<string, string>;
  readonly exemplars: readonly { readonly labels: Record<string, string>; readonly value: string; readonly timestamp: number }[];
}

/**
 * The exemplars of /metrics as their real consumer reads them: Debian's Prometheus scrapes dombridge (it asks for
 * OpenMetrics, the only format with exemplars) with exemplar storage on, and its query API gives back, for each
 * series, the message id of the request last counted there, the id the CLI and the console find the record by.
 */
describe('metrics exemplars, scraped by a real Prometheus', function () {
  this.timeout(60_000);
  let w: TestWorld | undefined;
  let prometheus: ChildProcess | undefined;
  let promUrl = '';
  let promLog = '';

  before(async function () {
    if (!existsSync(PROMETHEUS)) {
      // CI installs Debian's prometheus (.ci/run); a developer machine without it skips, saying why.
      if (process.env['CI']) throw new Error('prometheus is not installed; .ci/run must install it');
      this.skip();
    }
    w = await startWorld();
    const dir = scratchDir('dombridge-prometheus-');
    const target = new URL(w.app.url).host;
    writeFileSync(join(dir, 'prometheus.yml'), [
      'global:', '  scrape_interval: 1s', '  scrape_timeout: 1s',
      'scrape_configs:', '  - job_name: dombridge', '    metrics_path: /metrics', '    static_configs:', `      - targets: ['${target}']`, '',
    ].join('\n'));
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(PROMETHEUS, [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage', '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    prometheus.stderr!.on('data', (c: Buffer) => { promLog = (promLog + c.toString('utf8')).slice(-4000); });
  });

  after(async function () {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await w?.close();
  });

  /** Prometheus's API, once it answers; its own log is in the failure when it does not. */
  async function api<T>(path: string): Promise<T> {
    const res = await fetch(`${promUrl}${path}`).catch((e: unknown) => { throw new Error(`Prometheus does not answer (${String(e)}); its log: ${promLog}`); });
    const body = await res.json() as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus: ${body.error ?? res.status}`);
    return body.data;
  }

  const exemplarsOf = async (metric: string): Promise<ExemplarSeries[]> => {
    const now = Date.now() / 1000;
    return api<ExemplarSeries[]>(`/api/v1/query_exemplars?query=${encodeURIComponent(metric)}&start=${now - 600}&end=${now + 60}`);
  };

  /** The record the CLI and the console show for a request (the message store's id scheme). */
  const recordOf = async (filter: { bodId: string } | { operation: string }): Promise<string> => {
    await w!.app.flushRecords();
    const page = await w!.app.operations.listMessages(filter);
    expect(page.items, `a record of ${JSON.stringify(filter)}`).to.have.length(1);
    return page.items[0]!.id;
  };

  it('names, for each request series and each latency bucket, the message id of a request counted there', async function () {
    const okBod = getAvailabilityBod(itemAtOnline('20311', '10201')).replace(/<oa:BODID>[^<]*<\/oa:BODID>/, '<oa:BODID>exemplar-ok-1</oa:BODID>');
    expect((await post(w!.app.url, INVENTORY_PATH, soap11(okBod))).status).to.equal(200);
    const refused = await post(w!.app.url, INVENTORY_PATH, soap11(
      '<x:StealInventory xmlns:x="urn:example:not-ours"/>'));
    expect(refused.status).to.equal(500);
    const okId = await recordOf({ bodId: 'exemplar-ok-1' });
    // Refused before its BODID was read: found by what it asked for.
    const faultId = await recordOf({ operation: 'StealInventory' });

    // Prometheus scrapes every second; the exemplars are there after its first scrape.
    const series = await eventually(async () => {
      const found = await exemplarsOf('dombridge_requests_total');
      const ok = found.find((s) => s.seriesLabels['operation'] === 'GetInventoryAvailability' && s.seriesLabels['outcome'] === 'ok');
      const fault = found.find((s) => s.seriesLabels['outcome'] === 'fault');
      if (!ok || !fault) throw new Error(`no exemplars yet: ${JSON.stringify(found)}; targets: ${JSON.stringify(await api("/api/v1/targets"))}; Prometheus log: ${promLog}`);
      return { ok, fault };
    }, 20_000);
    expect(series.ok.exemplars.map((e) => e.labels['message_id'])).to.include(okId);
    expect(series.fault.seriesLabels).to.include({ operation: 'other', code: 'BOD_UNKNOWN_OPERATION' });
    expect(series.fault.exemplars.map((e) => e.labels['message_id'])).to.include(faultId);
    // The exemplar's time is the request's, not the scrape's.
    const at = series.ok.exemplars.find((e) => e.labels['message_id'] === okId)!.timestamp;
    expect(at * 1000).to.be.within(Date.now() - 60_000, Date.now());

    // A latency bucket's exemplar is a request that took that long: its value lies within the bucket.
    const buckets = await exemplarsOf('dombridge_request_duration_seconds_bucket{operation="GetInventoryAvailability"}');
    const withOk = buckets.find((s) => s.exemplars.some((e) => e.labels['message_id'] === okId));
    expect(withOk, JSON.stringify(buckets)).to.not.equal(undefined);
    const le = Number(withOk!.seriesLabels['le']);
    expect(Number(withOk!.exemplars.find((e) => e.labels['message_id'] === okId)!.value)).to.be.at.most(le);

    // A call to DOM (the item's store is a DOM store, nothing cached): its series names the call's record, out-N.
    const miss = await post(w!.app.url, INVENTORY_PATH, soap11(getAvailabilityBod(itemAtOnline('20312', '10201'))));
    expect(miss.text).to.contain('>dom<');
    const domSeries = await eventually(async () => {
      const found = (await exemplarsOf('dombridge_dom_calls_total')).find((x) => x.seriesLabels['operation'] === 'GetInventoryAvailability' && x.seriesLabels['outcome'] === 'ok');
      if (!found) throw new Error('no DOM call exemplar yet');
      return found;
    }, 20_000);
    const callId = domSeries.exemplars.at(-1)!.labels['message_id']!;
    expect(callId).to.match(/^out-\d+$/);
    await w!.app.flushRecords();
    expect((await w!.app.operations.getMessage(callId))?.operation, `${callId} is the recorded call`).to.equal('GetInventoryAvailability');

    // And the scrape itself succeeds in OpenMetrics, the process metrics included. Read until a scrape is up: on a
    // loaded machine one scrape may miss its 1 s timeout, which says nothing about the format.
    await eventually(async () => {
      const targets = await api<{ activeTargets: { health: string; lastError: string }[] }>('/api/v1/targets');
      expect(targets.activeTargets.map((t) => [t.health, t.lastError])).to.deep.equal([['up', '']]);
    }, 15_000, 250);
    const cpu = await api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent('process_cpu_user_seconds_total')}`);
    expect(cpu.result).to.have.length(1);
  });
});
