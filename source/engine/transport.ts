// HTTP to a Docker engine for reads: JSON answers and long streams (events, stats, logs), through
// Node's http/https with a keep-alive pool of the engine's own: a local socket, TCP (TLS from the
// endpoint), or for ssh:// the channels of one SSH login (ssh-tunnel.ts). Why not docker-modem: it
// loads ssh2 at import whatever the transport (~15 ms of every `tfmon status`, measured), formats
// each request's options for a debug line even with debugging off, and logs in over SSH again for
// every request.
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type { Duplex, Readable } from 'node:stream';
import type { Endpoint } from './endpoint.js';
import { unsupportedHost } from './errors.js';

// Built-ins through require, not an ESM import: Node's ESM wrapper of a built-in reads every export,
// and node:http's include fetch and WebSocket, which load undici (23–28 ms at start-up, against 3 ms).
const require = createRequire(import.meta.url);

export type Query = Record<string, string | number | boolean | object | undefined>;

/** An answer other than 2xx/304: the status and the engine's own message (as dockerode's errors carry them). */
export class DockerHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly json: { message?: string } | null,
  ) {
    super(`(HTTP code ${statusCode}) ${json?.message ?? 'unexpected answer'}`);
  }
}

export interface Transport {
  /** GET path?query → the parsed JSON answer. */
  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T>;
  /** GET path?query → the answer's body as a stream, once the status says it is one. */
  stream(path: string, query: Query, signal: AbortSignal): Promise<Readable>;
  /** POST or DELETE path?query with a JSON body → the parsed JSON answer (null when it has none). */
  send<T>(method: 'POST' | 'DELETE', path: string, query?: Query, body?: unknown): Promise<T>;
  /** POST path?query asking for the connection itself (exec start, attach): the engine answers
   * 101 and the socket then carries the process's multiplexed output and takes its stdin. */
  hijack(path: string, query: Query, body?: unknown): Promise<Duplex>;
  /** GET /_ping → the answer's headers (the engine's version and swarm state ride on them), or null
   * where the transport cannot show headers. */
  ping(): Promise<Record<string, string | string[] | undefined> | null>;
  /** Ends the idle connections kept for reuse; a later request opens a new one. */
  close(): void;
}

/** Docker's query strings: objects (filters) as JSON, arrays as repeated keys, booleans as words. */
export function queryString(query: Query = {}): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      const text = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

const readAll = (stream: Readable): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

const parseJson = (body: Buffer): unknown => {
  if (body.length === 0) return null;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return { message: body.toString('utf8').trim().slice(0, 500) };
  }
};

class NodeHttpTransport implements Transport {
  private readonly agent: Http.Agent;
  private readonly request: typeof Http.request;
  private readonly base: Http.RequestOptions;

  constructor(endpoint: Endpoint, tunnel?: Http.Agent) {
    const { host, tls } = endpoint;
    if (tunnel) {
      // ssh://: every connection is a channel of the tunnel; the socket path only names the pool.
      this.request = (require('node:http') as typeof Http).request;
      this.agent = tunnel;
      this.base = { socketPath: 'ssh-tunnel', servername: '' } as Http.RequestOptions;
      return;
    }
    const tcp = /^(tcp|http|https):\/\/([^:/]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(host);
    const secure = tcp !== null && (tcp[1] === 'https' || tls !== null);
    const lib = (secure ? require('node:https') : require('node:http')) as typeof Https;
    this.request = lib.request;
    this.agent = new lib.Agent({
      keepAlive: true,
      ...(secure && tls
        ? {
            rejectUnauthorized: tls.verify,
            ...(tls.ca ? { ca: tls.ca } : {}),
            ...(tls.cert ? { cert: tls.cert } : {}),
            ...(tls.key ? { key: tls.key } : {}),
          }
        : {}),
    });
    const socket = /^(unix|npipe):\/\/(.+)$/.exec(host);
    // servername '': no TLS on a socket, so the agent need not work one out from the host header
    // (its first isIP() compiles a large regular expression: 6 ms of every start, measured).
    if (socket) this.base = { socketPath: socket[2], servername: '' } as Http.RequestOptions;
    else if (tcp && tcp[2] !== undefined)
      this.base = { host: tcp[2].replace(/^\[|\]$/g, ''), port: Number(tcp[3] ?? (secure ? 2376 : 2375)) };
    else throw unsupportedHost(endpoint);
  }

  private open(
    path: string,
    query: Query | undefined,
    signal: AbortSignal | undefined,
    method = 'GET',
    body?: unknown,
  ): Promise<Http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const json = body === undefined ? undefined : JSON.stringify(body);
      const headers =
        json === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) };
      const req = this.request(
        {
          ...this.base,
          agent: this.agent,
          method,
          path: `${path}${queryString(query)}`,
          headers,
          ...(signal ? { signal } : {}),
        },
        resolve,
      );
      req.on('error', reject);
      req.end(json);
    });
  }

  /** A status other than 2xx/304 becomes a DockerHttpError carrying the engine's message. */
  private async checked(res: Http.IncomingMessage): Promise<Http.IncomingMessage> {
    const code = res.statusCode ?? 0;
    if ((code >= 200 && code < 300) || code === 304) return res;
    const json = parseJson(await readAll(res)) as { message?: string } | null;
    throw new DockerHttpError(code, json);
  }

  async get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    const res = await this.checked(await this.open(path, query, signal));
    return parseJson(await readAll(res)) as T;
  }

  async stream(path: string, query: Query, signal: AbortSignal): Promise<Readable> {
    return this.checked(await this.open(path, query, signal));
  }

  async send<T>(method: 'POST' | 'DELETE', path: string, query?: Query, body?: unknown): Promise<T> {
    const res = await this.checked(await this.open(path, query, undefined, method, body));
    return parseJson(await readAll(res)) as T;
  }

  hijack(path: string, query: Query, body: unknown = {}): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const json = JSON.stringify(body);
      const req = this.request({
        ...this.base,
        agent: this.agent,
        method: 'POST',
        path: `${path}${queryString(query)}`,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(json),
          Connection: 'Upgrade',
          Upgrade: 'tcp',
        },
      });
      // The socket leaves the keep-alive pool with the upgrade: it is the caller's from here.
      req.on('upgrade', (_res, socket, head) => {
        if (head.length) socket.unshift(head);
        resolve(socket);
      });
      // An answer without the upgrade is the engine's refusal (no such container, not running…).
      req.on('response', (res) => {
        void this.checked(res).then(
          () =>
            reject(
              new DockerHttpError(res.statusCode ?? 0, { message: 'the engine did not hand over the connection' }),
            ),
          reject,
        );
      });
      req.on('error', reject);
      req.end(json);
    });
  }

  async ping(): Promise<Record<string, string | string[] | undefined>> {
    const res = await this.checked(await this.open('/_ping', undefined, undefined));
    res.resume();
    return res.headers;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** `tunnel`: for ssh://, the pool whose connections are channels of the engine's one SSH login. */
export function transportFor(endpoint: Endpoint, tunnel?: Http.Agent): Transport {
  return new NodeHttpTransport(endpoint, tunnel);
}
