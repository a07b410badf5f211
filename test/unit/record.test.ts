// A recording's pieces: patches (what changed from one second to the next), the file's records
// (marker, length, CRC), and the writer and reader together — what was written is what is read at
// every second, a cut file reads up to its cut, and damaged or hostile bytes never give a state
// that was not recorded, nor anything but a one-line error.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../source/cluster/types.js';
import { encodeRecord, KIND, SIGNATURE, scanRecords } from '../../source/record/frames.js';
import { apply, diff, type Json } from '../../source/record/patch.js';
import { parseAt } from '../../source/record/at.js';
import { readRecording, stateAt } from '../../source/record/recording.js';
import { RecordWriter } from '../../source/record/writer.js';
import { Aliases, fromRecorded, toRecorded } from '../../source/record/recorded-form.js';
import { seedFacts, snapshotOf } from '../helpers/snapshot.js';
import { rng } from '../helpers/rng.js';

/** A snapshot as a recording gives it back: figures at display precision, counters' time only. */
const quantize = (v: Json): Json => fromRecorded(toRecorded(v, new Aliases()));

const dir = mkdtempSync(join(tmpdir(), 'tfmon-record-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A random JSON value, and a random change of it (so the pair shares most of its structure). */
function value(r: () => number, depth = 0): Json {
  const k = r();
  if (depth > 3 || k < 0.3) return [null, true, 1, 2.5, 'a', '__proto__', ''][Math.floor(r() * 7)] as Json;
  if (k < 0.6) return Array.from({ length: Math.floor(r() * 6) }, () => value(r, depth + 1));
  const o: { [key: string]: Json } = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) {
    const key = ['a', 'b', 'c', 'id-1', '__proto__'][Math.floor(r() * 5)] as string;
    Object.defineProperty(o, key, { value: value(r, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return o;
}
function change(v: Json, r: () => number): Json {
  if (r() < 0.2) return value(r);
  if (Array.isArray(v)) {
    const out = v.map((x) => (r() < 0.3 ? change(x, r) : x));
    if (r() < 0.3) out.shift();
    if (r() < 0.3) out.push(value(r));
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const out: { [key: string]: Json } = JSON.parse(JSON.stringify(v));
    for (const key of Object.keys(out))
      if (r() < 0.3)
        Object.defineProperty(out, key, {
          value: change(out[key] as Json, r),
          enumerable: true,
          writable: true,
          configurable: true,
        });
    if (r() < 0.2) out['new'] = value(r);
    if (r() < 0.2) delete out[Object.keys(out)[0] ?? ''];
    return out;
  }
  return r() < 0.5 ? v : value(r);
}

describe('patches', () => {
  it('turn any value into any other, and equal values into nothing', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const r = rng(seed);
      const a = value(r);
      const b = change(a, r);
      const p = diff(a, b);
      expect(diff(a, JSON.parse(JSON.stringify(a)))).toBeUndefined();
      expect(p === undefined ? a : apply(a, p)).toEqual(b);
      expect(JSON.stringify(a)).toBe(JSON.stringify(a)); // the base is left as it was
    }
  });

  it('write a history that moved along by one as the value that came in', () => {
    const before = { cpuHistory: Array.from({ length: 60 }, (_, i) => i), cpuPercent: 59 };
    const after = { cpuHistory: Array.from({ length: 60 }, (_, i) => i + 1), cpuPercent: 60 };
    expect(diff(before, after)).toEqual(['o', { cpuHistory: ['s', 1, [60]], cpuPercent: ['=', 60] }, []]);
  });

  it('keep a key named __proto__ a key', () => {
    const b = JSON.parse('{"__proto__": {"x": 1}}') as Json;
    const out = apply({}, diff({}, b) as NonNullable<ReturnType<typeof diff>>);
    expect(Object.keys(out as object)).toEqual(['__proto__']);
    expect(({} as { x?: number }).x).toBeUndefined();
  });

  it('refuse one that does not fit its base', () => {
    expect(() => apply(3, ['o', {}, []])).toThrow(/not an object/);
    expect(() => apply([1], ['i', { 5: ['=', 1] }])).toThrow(/out of range/);
  });
});

describe('records', () => {
  const file = Buffer.concat([
    SIGNATURE,
    encodeRecord(KIND.header, 1, Buffer.from('{"schema":1}')),
    encodeRecord(KIND.key, 2, Buffer.from('two')),
    encodeRecord(KIND.step, 3, Buffer.from('three')),
    encodeRecord(KIND.step, 4, Buffer.from('four')),
  ]);

  it('are read back in order', () => {
    const s = scanRecords(file);
    expect(s.records.map((r) => [r.kind, r.time, r.payload.toString()])).toEqual([
      [1, 1, '{"schema":1}'],
      [2, 2, 'two'],
      [3, 3, 'three'],
      [3, 4, 'four'],
    ]);
    expect(s.skipped).toBe(0);
  });

  it('a torn last one is skipped, the rest kept', () => {
    const s = scanRecords(file.subarray(0, file.length - 3));
    expect(s.records.map((r) => r.time)).toEqual([1, 2, 3]);
    expect(s.skipped).toBeGreaterThan(0);
  });

  it('a damaged one in the middle is skipped, the next found again', () => {
    const bad = Buffer.from(file);
    const third = scanRecords(file).records[2]!.offset;
    bad.writeUInt8((bad[third + 22] ?? 0) ^ 0xff, third + 22); // a byte of its payload: the CRC no longer matches
    const s = scanRecords(bad);
    expect(s.records.map((r) => r.time)).toEqual([1, 2, 4]);
  });

  it('bytes that are not a recording are refused in one line', () => {
    expect(() => scanRecords(Buffer.from('hello'))).toThrow('not a tfmon recording (no TFMONREC signature)');
  });
});

/** 200 seconds of the seed cluster, its figures moving each second. */
function seconds(n: number): { t: number; snapshot: Json }[] {
  const base = snapshotOf(seedFacts());
  const out: { t: number; snapshot: Json }[] = [];
  const history: number[] = [];
  for (let i = 0; i < n; i++) {
    history.push((i * 7.3) % 100);
    if (history.length > 60) history.shift();
    const usage = Object.fromEntries(
      base.nodes.map((node, j) => [
        node.id,
        {
          cpuPercent: (i * 1.37 + j) % 100,
          cpuOfLimitPercent: null,
          memBytes: 100_000_000 + i * 4096 * (j + 1),
          memLimitBytes: 2e9,
          netRxBps: 1000 + ((i * 13) % 7),
          netTxBps: 2000,
          blkReadBps: null,
          blkWriteBps: null,
          pids: 10,
          cpuHistory: [...history],
          memHistory: [...history],
          source: 'cgroup',
        },
      ]),
    );
    const snapshot: Snapshot = { ...base, usage: usage as Snapshot['usage'], updatedAt: 1_000_000 + i * 1000 };
    out.push({ t: 1_000_000 + i * 1000, snapshot: snapshot as unknown as Json });
  }
  return out;
}

const header = {
  tfmon: '0.1.0',
  engine: 'unix:///var/run/docker.sock',
  network: 'tf-network',
  nodes: [],
  logCap: 5,
};

async function written(name: string, data: { t: number; snapshot: Json }[], keyEveryMs = 60_000): Promise<string> {
  const path = join(dir, name);
  const w = new RecordWriter(path, header, { keyEveryMs });
  for (const d of data) await w.add(d.t, d.snapshot as unknown as Snapshot);
  await w.close();
  return path;
}

describe('a recording written and read back', () => {
  const data = seconds(200);

  it('gives at every second the snapshot of that second (figures as displayed)', async () => {
    const rec = readRecording(readFileSync(await written('whole.tfrec', data)));
    expect(rec.warnings).toEqual([]);
    expect(rec.chunks.length).toBe(4); // a whole snapshot each 60 s
    expect([rec.start, rec.end]).toEqual([data[0]!.t, data[199]!.t]);
    for (const i of [0, 1, 59, 60, 61, 119, 150, 199]) {
      const s = stateAt(rec, data[i]!.t + 500);
      expect(s?.t).toBe(data[i]!.t);
      expect(s?.snapshot).toEqual(quantize(data[i]!.snapshot));
    }
  });

  it('appends a second session after a first, each read from its own start', async () => {
    const path = await written('two.tfrec', data.slice(0, 30));
    const w = new RecordWriter(path, header);
    for (const d of data.slice(100, 130)) await w.add(d.t, d.snapshot as unknown as Snapshot);
    await w.close();
    const rec = readRecording(readFileSync(path));
    expect(stateAt(rec, data[20]!.t)?.snapshot).toEqual(quantize(data[20]!.snapshot));
    expect(stateAt(rec, data[125]!.t)?.snapshot).toEqual(quantize(data[125]!.snapshot));
  });

  it('refuses to write into a file that is not a recording', () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'my notes');
    expect(() => new RecordWriter(path, header)).toThrow(
      `${path} exists and is not a tfmon recording: not writing into it`,
    );
    expect(readFileSync(path, 'utf8')).toBe('my notes');
  });

  it('cut anywhere, reads up to the cut: every state it gives is the one recorded then', async () => {
    const whole = readFileSync(await written('cut.tfrec', data.slice(0, 90)));
    const r = rng(7);
    for (let n = 0; n < 60; n++) {
      const cut = whole.subarray(0, Math.floor(r() * whole.length));
      let rec: ReturnType<typeof readRecording>;
      try {
        rec = readRecording(cut);
      } catch (e) {
        expect((e as Error).message).toMatch(/^[^\n]+$/);
        continue;
      }
      const s = stateAt(rec, data[89]!.t);
      const i = data.findIndex((d) => d.t === s?.t);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(s?.snapshot).toEqual(quantize(data[i]!.snapshot));
    }
  });

  it('damaged at random: never a state that was not recorded, never more than a one-line error', async () => {
    const whole = readFileSync(await written('fuzz.tfrec', data.slice(0, 90), 20_000));
    const r = rng(11);
    for (let n = 0; n < 300; n++) {
      const bad = Buffer.from(whole);
      for (let k = 1 + Math.floor(r() * 4); k > 0; k--) {
        const at = Math.floor(r() * bad.length);
        if (r() < 0.5) bad[at] = Math.floor(r() * 256);
        else bad.fill(Math.floor(r() * 256), at, Math.min(bad.length, at + Math.floor(r() * 64)));
      }
      let rec: ReturnType<typeof readRecording>;
      try {
        rec = readRecording(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).message).toMatch(/^[^\n]+$/);
        continue;
      }
      for (const i of [0, 30, 45, 89]) {
        const s = stateAt(rec, data[i]!.t);
        if (!s) continue;
        const at = data.findIndex((d) => d.t === s.t);
        expect(at).toBeGreaterThanOrEqual(0);
        expect(s.snapshot).toEqual(quantize(data[at]!.snapshot));
      }
    }
  });

  it('a recording of a newer schema is refused in one line', () => {
    const file = Buffer.concat([SIGNATURE, encodeRecord(KIND.header, 1, Buffer.from('{"schema":9,"tfmon":"9.0.0"}'))]);
    expect(() => readRecording(file)).toThrow(
      'this recording was written by a newer tfmon (9.0.0, schema 9); this tfmon reads schema 2',
    );
  });
});

describe('--at', () => {
  const start = Date.parse('2026-12-04T22:00:00Z');
  const end = Date.parse('2026-12-05T09:00:00Z');

  it('takes an ISO 8601 time, a time back from the end, and a clock time (its last occurrence)', () => {
    expect(parseAt('2026-12-05T02:58:00Z', start, end)).toBe(Date.parse('2026-12-05T02:58:00Z'));
    expect(parseAt('-5m', start, end)).toBe(end - 300_000);
    expect(parseAt('-90s', start, end)).toBe(end - 90_000);
    const clock = new Date(end);
    clock.setHours(2, 58, 0, 0);
    if (clock.getTime() > end) clock.setDate(clock.getDate() - 1);
    expect(parseAt('02:58', start, end)).toBe(clock.getTime());
    clock.setSeconds(30);
    expect(parseAt('2:58:30', start, end)).toBe(clock.getTime());
  });

  it('says in one line what it cannot take', () => {
    expect(parseAt('yesterday', start, end)).toBe(
      '--at must be a time like 2026-12-05T02:58:00Z, a clock time like 02:58, or -5m from the end; got "yesterday"',
    );
    expect(parseAt('25:00', start, end)).toBe('--at 25:00: not a clock time (HH:MM or HH:MM:SS)');
    expect(parseAt('-2d', start, end)).toBe(
      '--at -2d is outside the recording: the recording runs from 2026-12-04T22:00:00.000Z to 2026-12-05T09:00:00.000Z',
    );
  });
});

describe('a recording kept bounded (--retain, --max-size)', () => {
  const data = seconds(120);

  it('--retain drops the chunks older than the span, whole; what is kept reads as recorded', async () => {
    const path = join(dir, 'retain.tfrec');
    const w = new RecordWriter(path, header, { keyEveryMs: 10_000, retainMs: 30_000 });
    for (const d of data) await w.add(d.t, d.snapshot as unknown as Snapshot);
    await w.close();
    expect(w.compactions).toBeGreaterThan(0);
    const rec = readRecording(readFileSync(path));
    expect(rec.warnings).toEqual([]);
    expect(rec.end).toBe(data[119]!.t);
    // The first chunk kept started within the span (taken when the last chunk began, at 110 s).
    expect(rec.start).toBeGreaterThanOrEqual(data[110]!.t - 30_000);
    expect(rec.start).toBeLessThanOrEqual(data[110]!.t - 20_000);
    for (const i of [80, 95, 119]) expect(stateAt(rec, data[i]!.t)?.snapshot).toEqual(quantize(data[i]!.snapshot));
    expect(rec.header.logCap).toBe(5);
  });

  it('--max-size keeps the file under the size (the chunk being written aside)', async () => {
    const whole = readFileSync(await written('unbounded.tfrec', data, 10_000)).length;
    const path = join(dir, 'max.tfrec');
    const maxBytes = Math.floor(whole / 3);
    const w = new RecordWriter(path, header, { keyEveryMs: 10_000, maxBytes });
    for (const d of data) await w.add(d.t, d.snapshot as unknown as Snapshot);
    await w.close();
    const chunk = whole / 12;
    expect(readFileSync(path).length).toBeLessThanOrEqual(maxBytes + chunk);
    const rec = readRecording(readFileSync(path));
    expect(rec.warnings).toEqual([]);
    expect(rec.start).toBeGreaterThan(data[0]!.t);
    expect(stateAt(rec, data[119]!.t)?.snapshot).toEqual(quantize(data[119]!.snapshot));
  });
});

describe('the log lines a recording keeps of a node', () => {
  it('a burst from a quiet node whole (a traceback), then a flood held to the rate, the rest counted', async () => {
    const { LineAllowance } = await import('../../source/record/line-allowance.js');
    const a = new LineAllowance(5, 50);
    const kept = (n: number, node = 'w0'): number =>
      Array.from({ length: n }, () => a.take(node)).filter(Boolean).length;
    expect(kept(40)).toBe(40); // a 40-line traceback
    expect(kept(20)).toBe(10); // the burst is spent
    expect(kept(3, 'w1')).toBe(3); // another node has its own
    a.tick();
    expect(kept(10)).toBe(5); // then 5 a second
    for (let s = 0; s < 10; s++) a.tick();
    expect(kept(60)).toBe(50); // quiet for 10 s: the whole burst again
  });
});
