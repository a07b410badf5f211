// A unix-socket proxy in front of the real engine, for faults: cut (the engine gone: connections
// dropped, new ones refused), restored, or slowed (every chunk held back a while).
import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';

export class SocketProxy {
  private server: Server | null = null;
  private readonly open = new Set<Socket>();
  /** Milliseconds every chunk from the engine is held back (a slow engine); 0: none. */
  delayMs = 0;
  constructor(readonly path: string, private readonly target = '/var/run/docker.sock') {}

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
      upstream.on('data', (chunk: Buffer) => {
        if (this.delayMs === 0) client.write(chunk);
        else setTimeout(() => client.writable && client.write(chunk), this.delayMs);
      });
      upstream.on('end', () => setTimeout(() => client.end(), this.delayMs));
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

