/**
 * Baseline A of the cache-hit benchmark, run as a child process: a bare `node:http` server that reads each POST's
 * body and answers it with the same canned ShowInventoryAvailability (the bytes dombridge answered the same
 * request with), so the difference to dombridge is everything dombridge does between reading and writing.
 *
 *   node baseline-bare.server.js CANNED_RESPONSE_FILE
 *
 * Listens on a free loopback port and prints `{"port":N}` on stdout. Ends on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: baseline-bare.server.js CANNED_RESPONSE_FILE\n');
  process.exit(64);
}
const canned = readFileSync(file);
const headers = { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': String(canned.length) };

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405, { 'Content-Type': 'text/plain' });
    res.end('POST only\n');
    return;
  }
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, headers);
    res.end(canned);
  });
});
// Same keep-alive settings as the facade.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
