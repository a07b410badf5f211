// The metrics endpoint: GET /metrics (Prometheus text, or OpenMetrics when the scraper asks for it),
// GET /status (the `status --json` document), GET /healthz. It reads the monitor's latest snapshot and
// nothing else: a scrape makes no Docker call, and nothing here can change the cluster.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Snapshot } from '../cluster/types.js';
import { statusJson } from '../cluster/status-json.js';
import { EngineError } from '../engine/errors.js';
import { formatAddress, type ListenAddress } from './address.js';
import { forgetServing, noteServing } from './serving-note.js';
import { exposition, OPENMETRICS, PROMETHEUS } from './exposition.js';

export interface SnapshotReader {
  getSnapshot(): Snapshot;
}

/** The endpoint, serving until close(): bound (an address that cannot be bound is an EngineError,
 * one line), and noted for `tfmon doctor` while it runs. */
export async function openEndpoint(
  store: SnapshotReader,
  at: ListenAddress,
  network: string,
): Promise<{ close(): Promise<void> }> {
  const server = await serveMetrics(store, at).catch((error: NodeJS.ErrnoException) => {
    throw new EngineError(
      `cannot listen on ${formatAddress(at)}: ${error.code === 'EADDRINUSE' ? 'the address is in use (another tfmon serve?)' : error.message}`,
    );
  });
  noteServing(at, network);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        forgetServing();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Serves until close(); rejects with the reason when the address cannot be bound. */
function serveMetrics(store: SnapshotReader, at: ListenAddress): Promise<Server> {
  const server = createServer((req, res) => {
    void answer(store, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`tfmon: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  // A scraper that opens a connection and sends nothing must not hold it forever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** OpenMetrics when the scraper prefers it (Prometheus sends it first in Accept), else the text format. */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return /application\/openmetrics-text/i.test(accept ?? '');
}

async function answer(store: SnapshotReader, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('only GET\n');
    return;
  }
  const body = (type: string, text: string): void => {
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
  switch (path) {
    case '/metrics': {
      const open = wantsOpenMetrics(req.headers.accept);
      body(open ? OPENMETRICS : PROMETHEUS, await exposition(store.getSnapshot(), open));
      return;
    }
    case '/status':
      body('application/json; charset=utf-8', `${JSON.stringify(statusJson(store.getSnapshot()))}\n`);
      return;
    case '/healthz': {
      const s = store.getSnapshot();
      body(
        'text/plain; charset=utf-8',
        s.engineError === null ? 'ok\n' : `ok (engine unreachable: ${s.engineError})\n`,
      );
      return;
    }
    case '/':
      body(
        'text/plain; charset=utf-8',
        'tfmon: /metrics (Prometheus, OpenMetrics), /status (status --json), /healthz\n',
      );
      return;
    default:
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found: /metrics, /status, /healthz\n');
  }
}
