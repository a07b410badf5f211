// The monitor's samplers against small fakes of the engine's narrow interfaces (engine/ports.ts):
// which streams they open and close as containers come, go and restart, and what they make of what
// the streams say. The real-engine integration tests cover the same against dockerd.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { toNodeView } from '../../source/cluster/role.js';
import type { LogStream } from '../../source/cluster/logs.js';
import type { LogStreams, StatsSource } from '../../source/engine/needs.js';
import { LogFollower } from '../../source/monitor/log-follower.js';
import { UsageSampler } from '../../source/monitor/usage-sampler.js';
import { facts } from '../helpers/facts.js';

/** Recorded `docker stats` samples of a CPU-bound sim worker (cgroup v1), one JSON per line. */
const samples = readFileSync(new URL('../fixtures/stats-v1-burn.ndjson', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as unknown);

interface FakeStream<C> {
  id: string;
  closed: boolean;
  emit: C;
  end(error: unknown): void;
}

function fakeStats(): StatsSource & { streams: FakeStream<(json: unknown) => void>[] } {
  const streams: FakeStream<(json: unknown) => void>[] = [];
  return {
    local: false,
    streams,
    followStats(id, onSample, onEnd) {
      const s = { id, closed: false, emit: onSample, end: onEnd };
      streams.push(s);
      return { close: () => void (s.closed = true) };
    },
  };
}

function fakeLogs(): LogStreams & {
  opened: {
    id: string;
    tail: number | 'all';
    since?: number;
    closed: boolean;
    line: (s: LogStream, raw: string) => void;
    end: (e: unknown) => void;
  }[];
} {
  const opened: ReturnType<typeof fakeLogs>['opened'] = [];
  return {
    opened,
    followLogs(id, options, onLine, onEnd) {
      const o = {
        id,
        tail: options.tail,
        ...(options.since !== undefined ? { since: options.since } : {}),
        closed: false,
        line: onLine,
        end: onEnd,
      };
      opened.push(o);
      return { close: () => void (o.closed = true) };
    },
  };
}

describe('UsageSampler (stats API)', () => {
  it('one stream per running container; closed when it stops, reopened when it restarts', () => {
    const engine = fakeStats();
    const onChange = vi.fn();
    const sampler = new UsageSampler(engine, { intervalMs: 1000, mode: 'auto' }, onChange);
    expect(sampler.mode).toBe('api'); // not a local engine: no cgroup files
    const a = facts({ id: 'a', name: 'tf-worker-0', state: 'running', pid: 100 });
    const b = facts({ id: 'b', name: 'tf-worker-1', state: 'exited', pid: null });
    sampler.sync([a, b]);
    expect(engine.streams.map((s) => s.id)).toEqual(['a']);

    for (const json of samples) engine.streams[0]!.emit(json);
    const usage = sampler.all()['a'];
    expect(usage?.source).toBe('api');
    expect(usage?.cpuPercent).toBeGreaterThan(50); // the recorded worker burned a core
    expect(usage?.memBytes).toBeGreaterThan(0);
    expect(onChange).toHaveBeenCalled();

    sampler.sync([{ ...a, pid: 200 }, b]); // restarted: a new process, a new stream
    expect(engine.streams.map((s) => [s.id, s.closed])).toEqual([
      ['a', true],
      ['a', false],
    ]);
    sampler.sync([b]);
    expect(engine.streams.every((s) => s.closed)).toBe(true);
    expect(sampler.all()).toEqual({});
    expect(sampler.openStreams).toBe(0);
  });

  it('stop closes every stream, and a sync after it opens none', () => {
    const engine = fakeStats();
    const sampler = new UsageSampler(engine, { intervalMs: 1000, mode: 'api' }, () => undefined);
    sampler.sync([facts({ id: 'a', state: 'running', pid: 1 }), facts({ id: 'c', state: 'running', pid: 2 })]);
    sampler.stop();
    expect(engine.streams.map((s) => s.closed)).toEqual([true, true]);
    sampler.sync([facts({ id: 'd', state: 'running', pid: 3 })]);
    expect(engine.streams).toHaveLength(2);
  });
});

describe('LogFollower', () => {
  const node = (over: Parameters<typeof facts>[0] = {}) =>
    toNodeView(facts({ id: 'w0', name: 'tf-worker-0', state: 'running', pid: 10, ...over }));

  it('streams only the nodes shown; a line is sanitized, its level known, errors reported', () => {
    const engine = fakeLogs();
    const errors: string[] = [];
    const logs = new LogFollower(engine, { tail: 50, capacity: 100 }, (_id, text) => errors.push(text));
    logs.show([node()]);
    expect(engine.opened.map((o) => [o.id, o.tail])).toEqual([['w0', 50]]);
    engine.opened[0]!.line('stdout', '2026-12-01T10:00:00.000000001Z step 1 loss 0.5\u001b]0;owned\u0007');
    engine.opened[0]!.line(
      'stderr',
      '2026-12-01T10:00:01.000000000Z ERROR tensorflow: UnavailableError: failed to connect to all addresses',
    );
    expect(logs.lines('w0').map((l) => [l.stream, l.text, l.level])).toEqual([
      ['stdout', 'step 1 loss 0.5', null],
      ['stderr', 'ERROR tensorflow: UnavailableError: failed to connect to all addresses', 'error'],
    ]);
    expect(errors).toHaveLength(1);
    logs.show([]);
    expect(engine.opened[0]!.closed).toBe(true);
    expect(logs.lines('w0')).toEqual([]); // forgotten with the stream
    logs.stop();
  });

  it('a stream cut by the connection is reopened from its last line, without repeating it', () => {
    const engine = fakeLogs();
    const logs = new LogFollower(engine, { tail: 50, capacity: 100 });
    const n = node();
    logs.show([n]);
    engine.opened[0]!.line('stdout', '2026-12-01T10:00:05.000000000Z five');
    engine.opened[0]!.end(new Error('socket hang up')); // no HTTP status: the connection went
    logs.sync([n]);
    const again = engine.opened[1]!;
    expect(again.since).toBe(Date.parse('2026-12-01T10:00:05Z') / 1000 - 1); // a second early…
    again.line('stdout', '2026-12-01T10:00:05.000000000Z five'); // …so the held line comes again,
    again.line('stdout', '2026-12-01T10:00:06.000000000Z six'); // and is skipped
    expect(logs.lines('w0').map((l) => l.text)).toEqual(['five', 'six']);
    logs.stop();
  });

  it('an engine that refuses the logs (a driver it cannot read) says why, and is not retried', () => {
    const engine = fakeLogs();
    const logs = new LogFollower(engine, { tail: 50, capacity: 100 });
    const n = node();
    logs.show([n]);
    engine.opened[0]!.end(
      Object.assign(new Error('(HTTP code 501) configured logging driver does not support reading'), {
        statusCode: 501,
        json: { message: 'configured logging driver does not support reading' },
      }),
    );
    expect(logs.errorOf('w0')).toMatch(/does not support reading/);
    logs.sync([n]);
    expect(engine.opened).toHaveLength(1);
    logs.stop();
  });
});
