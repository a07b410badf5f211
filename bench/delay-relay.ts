// A slow link on loopback: a TCP relay that holds every chunk for `oneWayMs` in each direction
// before passing it on, in order (a round trip gains 2 × oneWayMs). The kernel's netem would do
// this below TCP, but this machine's kernel has no sch_netem ("Specified qdisc kind is unknown" in
// a network namespace of its own), so the delay is added here, above it: same added latency per
// round trip, without netem's effect on TCP's own timers.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface DelayRelay {
  port: number;
  /** Holds everything from now on (a link that stalls, connections kept); resume() lets it through. */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

interface Gate {
  paused: boolean;
  held: (() => void)[];
}

/** Holds what `from` sends for `ms`, then writes it to `to`; the end travels the same way. */
function delayed(from: Socket, to: Socket, ms: number, gate: Gate): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      const write = (): void => {
        if (!to.destroyed) to.write(chunk);
      };
      if (gate.paused) gate.held.push(write);
      else write();
    }, ms);
  });
  from.on('end', () => setTimeout(() => to.end(), ms));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), ms + 1));
}

/** 127.0.0.1:<port> → 127.0.0.1:<target>, slowed by `oneWayMs` each way. */
export function startDelayRelay(target: number, oneWayMs: number): Promise<DelayRelay> {
  const gate: Gate = { paused: false, held: [] };
  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    const upstream = connect(target, '127.0.0.1');
    upstream.setNoDelay(true);
    delayed(client, upstream, oneWayMs, gate);
    delayed(upstream, client, oneWayMs, gate);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as { port: number }).port,
        pause: () => {
          gate.paused = true;
        },
        resume: () => {
          gate.paused = false;
          for (const write of gate.held.splice(0)) write();
        },
        close: () => new Promise((r) => server.close(() => r())),
      }),
    );
  });
}
