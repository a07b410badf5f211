// A slow link on loopback: a TCP relay that holds every chunk for `oneWayMs` in each direction
// before passing it on, in order (a round trip gains 2 × oneWayMs). The kernel's netem would do
// this below TCP, but this machine's kernel has no sch_netem ("Specified qdisc kind is unknown" in
// a network namespace of its own), so the delay is added here, above it: same added latency per
// round trip, without netem's effect on TCP's own timers.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface DelayRelay {
  port: number;
  close(): Promise<void>;
}

/** Holds what `from` sends for `ms`, then writes it to `to`; the end travels the same way. */
function delayed(from: Socket, to: Socket, ms: number): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, ms);
  });
  from.on('end', () => setTimeout(() => to.end(), ms));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), ms + 1));
}

/** 127.0.0.1:<port> → 127.0.0.1:<target>, slowed by `oneWayMs` each way. */
export function startDelayRelay(target: number, oneWayMs: number): Promise<DelayRelay> {
  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    const upstream = connect(target, '127.0.0.1');
    upstream.setNoDelay(true);
    delayed(client, upstream, oneWayMs);
    delayed(upstream, client, oneWayMs);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as { port: number }).port,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    );
  });
}
