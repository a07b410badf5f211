// Root causes on the real engine: a cluster broken by hand with the docker CLI in eight independent
// ways, one per node. Each fault must come out as exactly one root error, on the node where the fix
// goes, and everything that follows from it must name it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tfConfigFor, type TaskSpec } from '../../source/cluster/tf-config.js';
import {
  cleanup,
  createNetwork,
  docker,
  own,
  requireEngine,
  runSim,
  simImage,
  TEST_LABEL,
  tfmon,
  waitUntil,
} from './harness.js';

const net = own('cause');
const name = (task: string): string => own(`c-${task}`);
const tasks: TaskSpec[] = [
  { type: 'ps', index: 0, host: name('ps-0'), port: 2222 },
  ...Array.from(
    { length: 8 },
    (_, i): TaskSpec => ({ type: 'worker', index: i, host: name(`worker-${i}`), port: 2222 }),
  ),
];
const configOf = (i: number, edit: (t: TaskSpec[]) => TaskSpec[] = (t) => t, self = tasks[i]!): string =>
  tfConfigFor(edit(tasks), self);

interface Problem {
  severity: string;
  node: string | null;
  code: string;
  nodes: string[];
  causedBy: { node: string | null; code: string } | null;
}

beforeAll(async () => {
  requireEngine();
  const image = await simImage();
  createNetwork(net);
  const run = (i: number, env: Record<string, string>, args: string[] = []): string =>
    runSim(image, tasks[i]!.host, net, { env: { SIM_STEP_S: '30', ...env }, args });
  // ps-0's TF_CONFIG names a worker no container is.
  run(0, { TF_CONFIG: configOf(0, (t) => [...t, { type: 'worker', index: 8, host: name('worker-9'), port: 2222 }]) });
  run(1, { TF_CONFIG: configOf(1), SIM_PORT: '2223' }); // listens on 2223, TF_CONFIG says 2222
  run(2, { TF_CONFIG: configOf(2), SIM_EXIT: '1', SIM_EXIT_AFTER: '0' }, ['--restart', 'always']); // crash loop
  // OOM kill: the container's main process asks for 64 MiB against a 16 MiB limit.
  docker(
    'run',
    '-d',
    '--name',
    tasks[3]!.host,
    '--network',
    net,
    '--label',
    TEST_LABEL,
    '--env',
    `TF_CONFIG=${configOf(3)}`,
    '--memory',
    '16m',
    '--memory-swap',
    '16m',
    image,
    'sh',
    '-c',
    'exec awk \'BEGIN { s = sprintf("%67108864s", ""); gsub(/ /, "x", s); print "done" }\'',
  );
  run(4, { TF_CONFIG: configOf(4, (t) => t, { ...tasks[4]!, index: 4 }) }); // claims worker 4 too
  run(5, { TF_CONFIG: configOf(5) }); // the real worker 4 (index from its own TF_CONFIG)
  run(6, { TF_CONFIG: configOf(6, (t) => t.map((x) => (x.type === 'ps' ? { ...x, host: 'localhost' } : x))) }); // loopback
  run(7, { TF_CONFIG: configOf(7) });
  run(8, { TF_CONFIG: configOf(8) });
  docker('network', 'disconnect', net, name('worker-6')); // cut off
  docker('stop', '-t', '0', name('worker-7')); // stopped by hand
  const restarts = (): number => Number(docker('inspect', '-f', '{{.RestartCount}}', name('worker-1')));
  await waitUntil(() => restarts() >= 3, 30_000).catch(() => {
    throw new Error(`worker-1 restarted ${restarts()} times in 30 s`);
  });
  await waitUntil(() => docker('inspect', '-f', '{{.State.Status}}', name('worker-2')) === 'exited', 30_000).catch(
    () => {
      throw new Error(`worker-2 is ${docker('inspect', '-f', '{{.State.Status}}', name('worker-2'))}, not OOM-killed`);
    },
  );
}, 90_000);
afterAll(() => cleanup());

describe('root causes on a cluster broken eight ways', () => {
  it('one root error per fault, on the node where the fix goes; every consequence names its root', async () => {
    const r = await tfmon(['status', '--json', '--no-usage', '--probe-all', '--network', net, '--label', TEST_LABEL]);
    expect(r.stderr).toBe('');
    const problems = (JSON.parse(r.stdout) as { problems: Problem[] }).problems;
    const roots = problems.filter((p) => p.causedBy === null);
    // The engine's State.OOMKilled can lose a race with the exit under load (a watching tfmon has the
    // oom event; a one-shot status has only the state): then the same fault reads "not running (137)".
    const oom = roots.some((p) => p.node === name('worker-2') && p.code === 'oom_killed')
      ? 'oom_killed'
      : 'not_running';
    const rootErrors = roots
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.node}:${p.code}`)
      .sort();
    expect(rootErrors).toEqual(
      [
        `${name('ps-0')}:unknown_host`,
        `${name('worker-0')}:not_listening`,
        `${name('worker-1')}:crash_loop`,
        `${name('worker-2')}:${oom}`,
        `${name('worker-3')}:duplicate_task`, // the one whose name says another index
        `${name('worker-5')}:loopback_address`,
        `${name('worker-6')}:not_attached`,
        `${name('worker-7')}:not_running`,
      ].sort(),
    );
    // The duplicate is on both claimants.
    expect(roots.find((p) => p.code === 'duplicate_task')?.nodes.sort()).toEqual(
      [name('worker-3'), name('worker-4')].sort(),
    );
    // Consequences exist (peers cannot reach the broken nodes) and each names a root that exists.
    const consequences = problems.filter((p) => p.causedBy !== null);
    // For the record (before: every one of these was reported at the same level).
    console.log(
      `causes: 8 faults; ${problems.length} problems (${problems.filter((p) => p.severity === 'error').length} errors) of which ${roots.length} roots (${rootErrors.length} errors), ${consequences.length} consequences`,
    );
    expect(consequences.length).toBeGreaterThan(8);
    for (const c of consequences) {
      expect(
        roots.some((x) => x.node === c.causedBy!.node && x.code === c.causedBy!.code),
        `${c.node}:${c.code} <- ${JSON.stringify(c.causedBy)}`,
      ).toBe(true);
    }
    // One finding for a warning on every node.
    expect(roots.filter((p) => p.code === 'grpc_fail_fast_unset')).toHaveLength(1);
    // doctor: the same roots, and the count of what follows.
    const doctor = await tfmon(['doctor', '--probe-all', '--network', net, '--label', TEST_LABEL]);
    expect(doctor.code).toBe(1);
    // Its own round: a restarting node may add or drop a pair; the roots are the same eight.
    expect(doctor.stdout.split('\n')[0]).toMatch(/— 8 errors, \d+ warnings?; \d+ more follow from them/);
  }, 60_000);
});
