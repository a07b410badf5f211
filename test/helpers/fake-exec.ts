// A fake of the engine's exec sessions (engine/ports.ts ExecSource) that speaks the probe's line
// protocol: each request (target lines up to an end line) is answered after a delay, from a table of
// what each node sees. Every session opened and closed is counted, so tests can see leaks.
import { PassThrough } from 'node:stream';
import type { ExecSession } from '../../source/engine/engine.js';
import type { ExecSource } from '../../source/engine/needs.js';

export interface FakeAnswer {
  dns: 'ok' | 'nxdomain' | 'error';
  ip: string | null;
  tcp: 'ok' | 'refused' | 'timeout' | 'skipped' | 'error';
}

export interface FakeSession {
  node: string;
  via: 'exec' | 'helper';
  closed: boolean;
  requests: number;
  /** The most requests written to it and not yet answered at one time. */
  mostInFlight: number;
  /** End the session as a cut connection does (stdout ends, nothing more is answered). */
  cut(): void;
}

export interface FakeExecOptions {
  /** What `node` (a container id) sees of `host` (a name or an address) on `port` (0: lookup only). */
  answer: (node: string, host: string, port: number) => FakeAnswer;
  /** How long a node takes to answer one request, in ms. */
  delayMs?: (node: string, request: number) => number;
  /** Instead of a session: what the engine prints when the exec cannot start (then stdout ends). */
  refuse?: (node: string, attempt: number) => string | null;
  /** Ends the session (as a cut connection does) instead of answering this request. */
  cut?: (node: string, request: number) => boolean;
  /** Answers its targets in reverse order (a mixed-up answer). */
  reorder?: (node: string) => boolean;
  /** How long opening a session takes, in ms. */
  openDelayMs?: number;
  /** For helper sessions (images without sh). */
  helperImage?: string | null;
}

export function fakeExec(options: FakeExecOptions): ExecSource & { sessions: FakeSession[] } {
  const sessions: FakeSession[] = [];
  const attempts = new Map<string, number>();
  const open = (node: string, via: FakeSession['via']): ExecSession => {
    const stdout = new PassThrough();
    let pending = '';
    let inFlight = 0;
    const record: FakeSession = {
      node,
      via,
      closed: false,
      requests: 0,
      mostInFlight: 0,
      cut: () => {
        record.closed = true;
        if (!stdout.writableEnded) stdout.end();
      },
    };
    sessions.push(record);
    const attempt = (attempts.get(node) ?? 0) + 1;
    attempts.set(node, attempt);
    const refusal = via === 'exec' ? (options.refuse?.(node, attempt) ?? null) : null;
    if (refusal !== null) {
      setTimeout(() => {
        stdout.write(`${refusal}\r\n`);
        stdout.end();
      }, 1);
    }
    return {
      stdout,
      write(text: string) {
        if (refusal !== null || record.closed || stdout.writableEnded) return;
        pending += text;
        let end: number;
        // One request ends with a line that starts with "." (the end marker, with its sequence or not).
        while ((end = pending.search(/(^|\n)\.[^\n]*\n/)) !== -1) {
          const stop = pending.indexOf('\n', end + (pending[end] === '\n' ? 1 : 0)) + 1;
          const request = pending.slice(0, stop);
          pending = pending.slice(stop);
          const n = ++record.requests;
          inFlight++;
          record.mostInFlight = Math.max(record.mostInFlight, inFlight);
          const lines = request.split('\n').filter(Boolean);
          if (options.reorder?.(node)) lines.splice(0, lines.length - 1, ...lines.slice(0, -1).reverse());
          const reply = lines
            .map((line) => {
              const [host = '', port = ''] = line.split(' ');
              if (host === '.') return line;
              const a = options.answer(node, host, Number(port));
              return `R ${host} ${port} ${a.dns} ${a.ip ?? '-'} ${a.dns === 'ok' && port !== '0' ? a.tcp : 'skipped'} ${a.dns === 'ok' && port !== '0' ? 1 : '-'} python3${port === '0' ? '' : '+python3'}`;
            })
            .join('\n');
          setTimeout(() => {
            inFlight--;
            if (options.cut?.(node, n)) return record.cut();
            if (!record.closed && !stdout.writableEnded) stdout.write(`${reply}\n`);
          }, options.delayMs?.(node, n) ?? 10);
        }
      },
      close() {
        record.closed = true;
        if (!stdout.writableEnded) stdout.end();
      },
    };
  };
  return {
    sessions,
    openSession: async (id: string) => {
      if (options.openDelayMs) await new Promise((r) => setTimeout(r, options.openDelayMs));
      return open(id, 'exec');
    },
    openHelperSession: async (id: string) => open(id, 'helper'),
    images: {
      imageExists: async (image: string) => image === options.helperImage,
      localImageOf: async () => options.helperImage ?? null,
    } as unknown as ExecSource['images'],
  };
}
