// The metrics endpoint under a real cluster: `tfmon serve` with its default flags over the bench's
// nodes, scraped as Prometheus does (one request at a time, OpenMetrics asked for), each answer timed
// from the request to its last byte.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface ScrapeFigures {
  ms: number[];
  bytes: number;
  series: number;
}

/** A TCP port nobody listens on now, on loopback (the tests use it too). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
      .listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

/** The first of `count` consecutive ports free on every interface now (for --publish BASE, which
 * gives worker i the host port BASE+i), searched from a port the system picked. */
export async function freePortRun(count: number): Promise<number> {
  const free = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const s = createServer()
        .once('error', () => resolve(false))
        .listen(port, () => s.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = await freePort();
    if (base + count > 65535) continue;
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await free(base + i);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/** Resolves once a tfmon endpoint on this port answers /healthz; throws after `timeoutMs`. */
export async function untilHealthy(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (
    !(await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > until)
      throw new Error(`tfmon did not answer /healthz on port ${port} within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

export async function scrapeBench(network: string, label: string, scrapes = 30): Promise<ScrapeFigures> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--network', network, '--label', label, '--metrics', `127.0.0.1:${port}`],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}/metrics`;
  try {
    await untilHealthy(port, 60_000);
    await sleep(10_000); // usage has two samples, a probe round ran, the training streams are read
    const ms: number[] = [];
    let text = '';
    for (let i = 0; i < scrapes; i++) {
      const t0 = process.hrtime.bigint();
      const r = await fetch(url, {
        headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
      });
      text = await r.text();
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await sleep(300);
    }
    return {
      ms,
      bytes: Buffer.byteLength(text),
      series: text.split('\n').filter((l) => l && !l.startsWith('#')).length,
    };
  } finally {
    child.kill('SIGTERM');
    await sleep(300);
  }
}
