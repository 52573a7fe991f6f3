/**
 * Baseline B of the cache-hit benchmark, run as a child process: a minimal node-soap server (`soap.listen` on a
 * `node:http` server) serving GetInventoryAvailability of the facade's own WSDL, its handler returning a small
 * fixed object. node-soap parses the envelope into objects, dispatches on the body element and serialises the
 * answer through the WSDL, which is the work a generic SOAP stack does per request.
 *
 *   node baseline-soap.server.js WSDL_FILE SERVICE_PATH
 *
 * Listens on a free loopback port and prints `{"port":N}` on stdout once the WSDL is loaded. Ends on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from 'soap';

const [wsdlFile, servicePath] = process.argv.slice(2);
if (!wsdlFile || !servicePath) {
  process.stderr.write('usage: baseline-soap.server.js WSDL_FILE SERVICE_PATH\n');
  process.exit(64);
}

/** What the handler answers: a ShowInventoryAvailability with one availability noun. */
const ANSWER = {
  DataArea: {
    InventoryAvailability: {
      InventoryStatus: 'Available',
      AvailableQuantity: 42,
    },
  },
};

const services = {
  InventoryServices: {
    InventoryServices: {
      GetInventoryAvailability: () => ANSWER,
    },
  },
};

const server = http.createServer((_req, res) => {
  // soap.listen answers its own path; anything else lands here.
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('not found\n');
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

server.listen(0, '127.0.0.1', () => {
  listen(server, {
    path: servicePath,
    services,
    xml: readFileSync(wsdlFile, 'utf8'),
    uri: wsdlFile,
    callback: (err: unknown) => {
      if (err) {
        process.stderr.write(`node-soap could not load the WSDL: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      }
      process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
    },
  });
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
