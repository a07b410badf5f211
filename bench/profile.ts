// Where tfmon's time goes: one more window of the live screen (as a user runs it: 160x60, default
// flags, the small young generation and two malloc arenas its launcher sets) under V8's CPU profiler,
// its samples sorted into what they were doing, and the process's threads' CPU from /proc (the main
// thread against V8's helpers: concurrent marking and parallel scavenges run there).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tfmonPidUnder } from './procs.js';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** What a sample was doing, by the frames on its stack (the first rule that matches). */
const KINDS: { kind: string; test: (names: ReadonlySet<string>, self: string) => boolean }[] = [
  { kind: 'garbage collector (on the main thread)', test: (_, self) => self === '(garbage collector)' },
  {
    kind: 'drawing: React and Ink (render, layout, output, diff)',
    test: (n) => n.has('performWorkOnRoot') || n.has('flushSyncWorkAcrossRoots_impl') || n.has('renderer'),
  },
  {
    kind: "the engine's streams: socket reads, HTTP, decoding logs, stats, events",
    test: (n) => n.has('onStreamRead') || n.has('socketOnData'),
  },
  { kind: 'timers: samplers (cgroup files), probe rounds, clocks', test: (n) => n.has('listOnTimeout') },
];
const OTHER = 'everything else (promises, I/O callbacks, V8 internals)';

export interface ProfileFigures {
  seconds: number;
  /** CPU seconds by kind, main thread (from the profile's samples). */
  kinds: { kind: string; cpuS: number }[];
  /** CPU seconds from /proc: the main thread, V8's helper threads, libuv's pool, the rest; the
   * profiler's own sampling thread apart (it is not tfmon's cost). */
  threads: { main: number; v8: number; libuv: number; other: number; profiler: number };
  frames: number | null;
}

/** Microseconds of each kind among the samples taken after `fromUs` of the profile (its start-up left out). */
function sortSamples(profile: CpuProfile, fromUs: number): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<number, string | null>();
  const kindOf = (id: number): string | null => {
    const known = stacks.get(id);
    if (known !== undefined) return known;
    const self = byId.get(id)!.callFrame.functionName;
    let kind: string | null = null;
    if (self !== '(idle)' && self !== '(program)' && self !== '(root)') {
      const names = new Set<string>();
      for (let x: number | undefined = id; x !== undefined; x = parent.get(x))
        names.add(byId.get(x)!.callFrame.functionName);
      kind = KINDS.find((k) => k.test(names, self))?.kind ?? OTHER;
    }
    stacks.set(id, kind);
    return kind;
  };
  const us = new Map<string, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < fromUs) return;
    const kind = kindOf(id);
    if (kind) us.set(kind, (us.get(kind) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return us;
}

function threadTicks(pid: number): ProfileFigures['threads'] {
  const t = { main: 0, v8: 0, libuv: 0, other: 0, profiler: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const s = (Number(f[11]) + Number(f[12])) / 100;
      if (tid === String(pid)) t.main += s;
      else if (comm.startsWith('V8Worker') || comm.startsWith('node-V8Worker')) t.v8 += s;
      else if (comm.startsWith('libuv')) t.libuv += s;
      else if (comm.startsWith('v8:Prof')) t.profiler += s;
      else t.other += s;
    } catch {
      // a thread that ended meanwhile
    }
  }
  return t;
}

/** One window of `seconds` after `warmupS`, profiled. */
export async function profileWindow(
  network: string,
  label: string,
  warmupS: number,
  seconds: number,
): Promise<ProfileFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'tfmon-bench-prof-'));
  const frameFile = join(dir, 'frames.json');
  try {
    const command = `stty cols 160 rows 60; MALLOC_ARENA_MAX=2 TFMON_FRAME_COUNT=${frameFile} exec ${process.execPath} --max-semi-space-size=2 --cpu-prof --cpu-prof-dir=${dir} ${CLI} --network ${network} --label ${label}`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = new Promise((r) => child.once('exit', r));
    await sleep(warmupS * 1000);
    const pid = tfmonPidUnder(child.pid ?? 0);
    const a = threadTicks(pid);
    const t0 = Date.now();
    await sleep(seconds * 1000);
    const b = threadTicks(pid);
    const elapsed = (Date.now() - t0) / 1000;
    // SIGTERM: tfmon ends as on q, and V8 writes the profile as the process exits.
    process.kill(pid, 'SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('tfmon wrote no CPU profile');
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    // Each kind's share of the samples after the warm-up, scaled to the window's main-thread CPU.
    const us = sortSamples(profile, warmupS * 1e6);
    const busy = [...us.values()].reduce((x, y) => x + y, 0);
    const main = b.main - a.main;
    const kinds = [...KINDS.map((k) => k.kind), OTHER].map((kind) => ({
      kind,
      cpuS: busy ? ((us.get(kind) ?? 0) / busy) * main : 0,
    }));
    let frames: number | null = null;
    try {
      frames = (JSON.parse(readFileSync(frameFile, 'utf8')) as { frames: number }).frames;
    } catch {
      // not written
    }
    return {
      seconds: elapsed,
      kinds,
      threads: {
        main,
        v8: b.v8 - a.v8,
        libuv: b.libuv - a.libuv,
        other: b.other - a.other,
        profiler: b.profiler - a.profiler,
      },
      frames,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
