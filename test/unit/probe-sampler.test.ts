// The probe sampler against a fake exec source that answers like the in-node probe: rounds of
// different scopes requested together, overlapping touches, a session cut mid-answer, an exec
// refused because the container is stopping. Each answer must land on the pair it answers, and no
// session may be left open after stop().
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toNodeView } from '../../source/cluster/role.js';
import type { NodeView } from '../../source/cluster/types.js';
import { ProbeSampler } from '../../source/monitor/probe-sampler.js';
import { fakeExec, type FakeAnswer } from '../helpers/fake-exec.js';
import { seedFacts } from '../helpers/snapshot.js';

const nodes: NodeView[] = seedFacts().map((f) => toNodeView(f));
const byName = new Map(nodes.map((n) => [n.name, n]));
const byIp = new Map(nodes.map((n) => [n.ip!, n]));
/** Only the ps listens; every worker refuses (nothing on its port): a pair's answer names its target. */
function truth(_from: string, host: string, port: number): FakeAnswer {
  const target = byName.get(host) ?? byIp.get(host);
  if (!target) return { dns: 'nxdomain', ip: null, tcp: 'skipped' };
  if (port === 0) return { dns: 'ok', ip: target.ip, tcp: 'skipped' };
  return { dns: 'ok', ip: target.ip, tcp: target.role === 'ps' ? 'ok' : 'refused' };
}
const expected = (to: string): string => (byName.get(to)?.role === 'ps' ? 'ok' : 'refused');
const idOf = (name: string): string => byName.get(name)!.id;

/** Lets the fake's timers run until `p` settles (a round awaited without them would never end). */
async function settle(p: Promise<void>): Promise<void> {
  await vi.advanceTimersByTimeAsync(1_000);
  await p;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ProbeSampler: one round at a time, each answer on its own pair', () => {
  it('a touch and a round of another scope asked while a round runs: every pair gets its own answer, nobody waits out a timer', async () => {
    const engine = fakeExec({ answer: truth, delayMs: () => 50 });
    const sampler = new ProbeSampler(
      engine,
      () => nodes,
      () => undefined,
      {},
      () => false,
    );
    sampler.start(60_000);
    sampler.touch([idOf('tf-worker-0')]);
    const all = sampler.round('all');
    sampler.touch([idOf('tf-worker-1')]);
    await vi.advanceTimersByTimeAsync(200);
    // Before the fix a lookup's answer (port 0, tcp skipped) landed on a connect pair here.
    for (const e of sampler.reachability)
      expect({ from: e.from, to: e.to, dns: e.dns, tcp: e.tcp }).toEqual({
        from: e.from,
        to: e.to,
        dns: 'ok',
        tcp: expected(e.to),
      });
    await vi.advanceTimersByTimeAsync(1_000);
    // Everything asked is answered within the fake's delays (50 ms a request), not after a
    // request's 4.5 s-per-name timer ran out.
    let settled = false;
    void all.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(true);
    const matrix = sampler.reachability;
    expect(matrix.length).toBe(6); // 'all' scope: 3 × 2 pairs
    for (const e of matrix)
      expect({ from: e.from, to: e.to, dns: e.dns, tcp: e.tcp }).toEqual({
        from: e.from,
        to: e.to,
        dns: 'ok',
        tcp: expected(e.to),
      });
    // One session per probing node, none reopened, none left open after stop.
    expect(engine.sessions.map((s) => s.node).sort()).toEqual(nodes.map((n) => n.id).sort());
    sampler.stop();
    expect(engine.sessions.filter((s) => !s.closed)).toEqual([]);
  });

  it('rounds asked while one runs never overlap: at most one request per session in flight', async () => {
    const engine = fakeExec({ answer: truth, delayMs: (_node, n) => 20 + (n % 3) * 40 });
    const sampler = new ProbeSampler(
      engine,
      () => nodes,
      () => undefined,
      {},
      () => false,
    );
    sampler.start(100);
    for (let i = 0; i < 20; i++) {
      if (i % 2) sampler.touch([nodes[i % 3]!.id]);
      else void sampler.round(i % 4 ? 'tf' : 'all');
      await vi.advanceTimersByTimeAsync(37);
    }
    await vi.advanceTimersByTimeAsync(3_000);
    for (const e of sampler.reachability) expect([e.from, e.to, e.tcp]).toEqual([e.from, e.to, expected(e.to)]);
    expect(engine.sessions.length).toBe(3);
    expect(engine.sessions.map((s) => s.mostInFlight)).toEqual([1, 1, 1]);
    sampler.stop();
    expect(engine.sessions.every((s) => s.closed)).toBe(true);
  });
});

describe('ProbeSampler: sessions that fail', () => {
  const fixture = (name: string): string =>
    readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8').trim();

  it('a session cut mid-answer: its pairs say so, the next round opens a new one, none is left open', async () => {
    // worker-1's first request is a connect to the ps (the resolver's lookups come first, elsewhere).
    let cuts = 0;
    const engine = fakeExec({ answer: truth, cut: (node) => node === idOf('tf-worker-1') && cuts++ === 0 });
    const sampler = new ProbeSampler(
      engine,
      () => nodes,
      () => undefined,
      {},
      () => false,
    );
    sampler.start(60_000);
    await vi.advanceTimersByTimeAsync(500);
    const cut = sampler.reachability.filter((e) => e.from === 'tf-worker-1');
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every((e) => e.tcp === 'unprobed' && /ended before answering/.test(e.reason ?? ''))).toBe(true);
    await settle(sampler.round('tf'));
    // Without listener checks from the host, worker-1 also dials worker-0 (the ring: refused there).
    expect(sampler.reachability.filter((e) => e.from === 'tf-worker-1').map((e) => `${e.to} ${e.tcp}`)).toEqual([
      'tf-ps-0 ok',
      'tf-worker-0 refused',
    ]);
    expect(engine.sessions.filter((s) => s.node === idOf('tf-worker-1')).length).toBe(2);
    sampler.stop();
    expect(engine.sessions.every((s) => s.closed)).toBe(true);
    expect(sampler.openSessions).toBe(0);
  });

  it('an exec refused because the container is stopping does not mark the node shell-less', async () => {
    const engine = fakeExec({
      answer: truth,
      refuse: (node, attempt) => (node === idOf('tf-worker-0') && attempt === 1 ? fixture('exec-stopped.txt') : null),
      helperImage: 'helper:1',
    });
    const sampler = new ProbeSampler(
      engine,
      () => nodes,
      () => undefined,
      {},
      () => false,
    );
    sampler.start(60_000);
    await vi.advanceTimersByTimeAsync(500);
    await settle(sampler.round('tf'));
    expect(sampler.reachability.find((e) => e.from === 'tf-worker-0')).toMatchObject({ to: 'tf-ps-0', tcp: 'ok' });
    // Probed by exec again, never through a helper.
    const own = engine.sessions.filter((s) => s.node === idOf('tf-worker-0'));
    expect(own.length).toBeGreaterThanOrEqual(2); // the refused exec, then one that ran
    expect(own.every((s) => s.via === 'exec')).toBe(true);
    sampler.stop();
  });

  it('an image with no sh is probed from a helper, until the container starts again', async () => {
    let view = nodes;
    const engine = fakeExec({
      answer: truth,
      refuse: (node) => (node === idOf('tf-worker-0') && view === nodes ? fixture('exec-no-shell.txt') : null),
      helperImage: 'helper:1',
    });
    const sampler = new ProbeSampler(
      engine,
      () => view,
      () => undefined,
      { helperImage: 'helper:1' },
      () => false,
    );
    sampler.start(60_000);
    await vi.advanceTimersByTimeAsync(500);
    expect(sampler.reachability.find((e) => e.from === 'tf-worker-0')).toMatchObject({ to: 'tf-ps-0', tcp: 'ok' });
    expect(engine.sessions.filter((s) => s.node === idOf('tf-worker-0')).map((s) => s.via)).toEqual(['exec', 'helper']);
    // Restarted (a new start time and pid; here its image got a shell): the exec is tried again.
    view = nodes.map((n) => (n.name === 'tf-worker-0' ? { ...n, startedAt: '2026-01-01T01:00:00Z', pid: 4242 } : n));
    await settle(sampler.round('tf'));
    expect(engine.sessions.filter((s) => s.node === idOf('tf-worker-0')).map((s) => s.via)).toEqual([
      'exec',
      'helper',
      'exec',
    ]);
    sampler.stop();
    expect(engine.sessions.every((s) => s.closed)).toBe(true);
  });

  it('answers for other targets than asked are never put on a pair', async () => {
    // A probe that answers its targets in reverse order (as a mixed-up stream would look).
    const engine = fakeExec({ answer: truth, reorder: (node) => node === idOf('tf-worker-1') });
    const sampler = new ProbeSampler(
      engine,
      () => nodes,
      () => undefined,
      {},
      () => false,
    );
    sampler.start(60_000);
    await settle(sampler.round('all'));
    const rows = sampler.reachability.filter((e) => e.from === 'tf-worker-1');
    expect(rows.length).toBe(2);
    expect(rows.every((e) => e.tcp === 'unprobed' && /answered for other targets/.test(e.reason ?? ''))).toBe(true);
    for (const e of sampler.reachability.filter((x) => x.from !== 'tf-worker-1')) expect(e.tcp).toBe(expected(e.to));
    sampler.stop();
  });

  it('stop() while a session is being opened: the late session is closed, nothing is left open', async () => {
    const engine = fakeExec({ answer: truth, openDelayMs: 200 });
    const sampler = new ProbeSampler(
      engine,
      () => nodes,
      () => undefined,
      {},
      () => false,
    );
    sampler.start(60_000);
    await vi.advanceTimersByTimeAsync(50);
    sampler.stop();
    await vi.advanceTimersByTimeAsync(500);
    expect(engine.sessions.length).toBeGreaterThan(0);
    expect(engine.sessions.every((s) => s.closed)).toBe(true);
    expect(sampler.openSessions).toBe(0);
  });
});
