// `npm run bench`: speed figures printed as a table. Makes its own cluster (labelled tfmon.bench)
// on its own network, measures, removes everything. Never part of the test suite.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const id = randomBytes(3).toString('hex');
const net = `tfb${id}-net`;
const label = `tfmon.bench=${id}`;
const RUNS = 10;

function run(cmd: string, args: string[]): { ms: number; stdout: string; status: number | null } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return { ms, stdout: r.stdout, status: r.status };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const p90 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.9) - 1] as number;
const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

function cleanup(): void {
  spawnSync(process.execPath, [CLI, 'down', '--yes', '--network', net, '--label', label], { stdio: 'ignore' });
  const left = spawnSync('docker', ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  if (left.length) spawnSync('docker', ['rm', '-f', ...left], { stdio: 'ignore' });
  spawnSync('docker', ['network', 'rm', net], { stdio: 'ignore' });
}

function main(): void {
  process.on('exit', cleanup);
  run(process.execPath, [CLI, 'up', '--network', net, '--prefix', `tfb${id}`, '--label', label]);

  const status = [process.execPath, CLI, 'status', '--json', '--network', net, '--label', label];
  const check = JSON.parse(run(status[0]!, status.slice(1)).stdout) as { nodes: unknown[] };
  if (check.nodes.length !== 3) throw new Error(`expected 3 nodes, status saw ${check.nodes.length}`);

  const tfmon: number[] = [];
  const floor: number[] = [];
  const nodeOnly: number[] = [];
  // Alternate the two, so drift on the machine hits both alike.
  for (let i = 0; i < RUNS; i++) {
    tfmon.push(run(status[0]!, status.slice(1)).ms);
    const t0 = process.hrtime.bigint();
    const ids = run('docker', ['ps', '-aq', '--filter', `network=${net}`, '--filter', `label=${label}`]).stdout.split('\n').filter(Boolean);
    run('docker', ['inspect', ...ids]);
    floor.push(Number(process.hrtime.bigint() - t0) / 1e6);
    nodeOnly.push(run(process.execPath, ['-e', '']).ms);
  }

  const target = 400;
  const m = median(tfmon);
  console.log(`tfmon bench (${new Date().toISOString()}, node ${process.version}, ${RUNS} runs each, 3-node sim cluster)\n`);
  console.log(table([
    ['measure', 'median', 'p90', 'target', 'verdict'],
    ['tfmon status --json, process start to exit', fmt(m), fmt(p90(tfmon)), `<= ${target} ms`, m <= target ? 'met' : 'NOT met'],
    ['docker ps + docker inspect (the floor)', fmt(median(floor)), fmt(p90(floor)), '-', '-'],
    ['node -e "" (Node.js start alone, for scale)', fmt(median(nodeOnly)), fmt(p90(nodeOnly)), '-', '-'],
    ['ratio tfmon / floor', `${(m / median(floor)).toFixed(2)}x`, '', '', ''],
  ]));
}

try {
  main();
} catch (error) {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
