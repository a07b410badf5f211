// Recorded hostile log lines (test/fixtures/logs-hostile.frames) as the screen holds them.
import { readFileSync } from 'node:fs';
import type { LogLine, LogStream } from '../../source/cluster/logs.js';
import type { NodeView } from '../../source/cluster/types.js';
import type { LogSource } from '../../source/ui/LogPanes.js';
import { LogDecoder } from '../../source/engine/log-decoder.js';
import { toLogLine } from '../../source/monitor/log-follower.js';

export const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

/** Feeds the stream in small chunks, as the socket may cut it anywhere (inside headers too). */
export function decode(bytes: Buffer, tty: boolean, chunk = 7): { stream: LogStream; line: string }[] {
  const out: { stream: LogStream; line: string }[] = [];
  const d = new LogDecoder(tty, (stream, line) => out.push({ stream, line }));
  for (let i = 0; i < bytes.length; i += chunk) d.push(bytes.subarray(i, i + chunk));
  d.end();
  return out;
}

export const hostileLines = (): LogLine[] =>
  decode(fixture('logs-hostile.frames'), false).map((l, i) => toLogLine(i + 1, 'c1', l.stream, l.line));

/** A log source holding fixed lines per node id, recording what the screen asked to be shown. */
export class FixedLogs implements LogSource {
  shown: string[][] = [];
  constructor(private readonly byNode: Map<string, LogLine[]>) {}
  subscribe = () => () => undefined;
  getVersion = () => 0;
  tail = (id: string, n: number) => (this.byNode.get(id) ?? []).slice(-n);
  lines = (id: string) => this.byNode.get(id) ?? [];
  interleaved = () => [...this.byNode.values()].flat().sort((a, b) => a.time - b.time || a.seq - b.seq);
  jupyterOf = (_id: string): { url: string; port: number } | null => null;
  show = (nodes: readonly NodeView[]) => {
    this.shown.push(nodes.map((n) => n.id));
  };
}
