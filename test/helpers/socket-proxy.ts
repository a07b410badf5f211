// A unix-socket proxy in front of the real engine, for faults: cut (the engine gone: connections
// dropped, new ones refused), restored, or slowed (every chunk held back a while).
import { engineSocket } from '../integration/harness.js';
import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';

export class SocketProxy {
  private server: Server | null = null;
  private readonly open = new Set<Socket>();
  /** Milliseconds every chunk from the engine is held back (a slow engine); 0: none. */
  delayMs = 0;
  /** Every request line sent to the engine ("GET /v1.41/containers/json"), in order. */
  readonly requests: string[] = [];
  constructor(
    readonly path: string,
    private readonly target = engineSocket(),
  ) {}

  /** Sockets the proxy holds (each proxied connection is two: the client's and the engine's). */
  get openSockets(): number {
    return this.open.size;
  }

  listen(): Promise<void> {
    rmSync(this.path, { force: true });
    this.server = createServer((client) => {
      const upstream = connect(this.target);
      for (const s of [client, upstream]) {
        this.open.add(s);
        s.on('close', () => this.open.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream);
      client.on('data', (chunk: Buffer) => {
        for (const m of chunk
          .toString('latin1')
          .matchAll(/(?:^|\r\n)(GET|HEAD|POST|PUT|DELETE|PATCH) (\S+) HTTP\/1\.[01]\r\n/g))
          this.requests.push(`${m[1]} ${m[2]}`);
      });
      upstream.on('data', (chunk: Buffer) => {
        if (this.delayMs === 0) client.write(chunk);
        else setTimeout(() => client.writable && client.write(chunk), this.delayMs);
      });
      upstream.on('end', () => setTimeout(() => client.end(), this.delayMs));
      // A client gone (closed or reset) takes its engine connection with it: otherwise a following
      // stream (stats, logs) upstream stays open, and the proxy, not tfmon, holds a socket.
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => setTimeout(() => client.destroy(), this.delayMs));
    });
    return new Promise((resolve) => this.server!.listen(this.path, resolve));
  }

  /** Engine gone: every connection dropped, new ones refused. */
  async cut(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      for (const s of this.open) s.destroy();
    });
    this.server = null;
  }
}
