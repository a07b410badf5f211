// Records demo.gif from a real run: tfmon on the demo cluster inside tmux (100×30), driven by a
// script of keys and docker commands, captured every 250 ms, rendered to SVG, PNG (rsvg-convert),
// then one GIF (ImageMagick, gifsicle). Run by scripts/demo-gif.sh, which installs those tools.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { frameSvg, type Frame } from './render.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const COLS = 100;
const ROWS = 30;
const SOCKET = 'tfmon-demo';
const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const docker = (...args: string[]): void => {
  spawnSync('docker', args, { stdio: 'ignore' });
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const keys = (...k: string[]): void => {
  tmux('send-keys', '-t', 'demo', ...k);
};
const type = (text: string): void => {
  tmux('send-keys', '-t', 'demo', '-l', text);
};

async function main(): Promise<void> {
  const out = process.argv[2] ?? join(ROOT, 'demo.gif');
  const work = mkdtempSync(join(tmpdir(), 'tfmon-demo-'));
  spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });
  tmux(
    'new-session',
    '-d',
    '-s',
    'demo',
    '-x',
    String(COLS),
    '-y',
    String(ROWS),
    '-c',
    ROOT,
    'env',
    'LANG=C.UTF-8',
    'TERM=xterm-256color',
    'PS1=$ ',
    'bash',
    '--norc',
    '--noprofile',
  );
  const frames: Frame[] = [];
  const started = Date.now();
  let recording = true;
  const capture = (async () => {
    while (recording) {
      frames.push({ at: Date.now() - started, text: tmux('capture-pane', '-p', '-e', '-t', 'demo') });
      await sleep(250);
    }
  })();

  // The script: what a user does when a job hangs.
  type('clear; node dist/cli.js --probe-interval 2');
  keys('Enter');
  await sleep(6000); // the table with usage, the details, the log tail
  keys('m');
  await sleep(3000); // the matrix, all ✓
  docker('network', 'disconnect', 'tf-network', 'tf-worker-1');
  await sleep(6000); // tf-worker-1 cut off: N in its column, E in its row
  docker('network', 'connect', 'tf-network', 'tf-worker-1');
  await sleep(5000); // back to ✓
  keys('Escape');
  await sleep(400); // an Esc followed at once by a key reads as Alt+key
  keys('j');
  docker(
    'exec',
    'tf-worker-0',
    'sh',
    '-c',
    'echo "E tensorflow/core/distributed_runtime/rpc/grpc_remote_worker.cc:99] UnavailableError: failed to connect to all addresses" > /proc/1/fd/2',
  );
  await sleep(1500);
  keys('l');
  await sleep(2500); // the log view, the error in red
  keys('e');
  await sleep(2500);
  keys('Escape');
  await sleep(400);
  keys('k');
  await sleep(1000);
  keys('+');
  await sleep(4500); // tf-worker-2 created; the others' TF_CONFIG stale
  keys('c');
  await sleep(3000); // the diff
  keys('a');
  await sleep(1500);
  keys('y');
  await sleep(8000); // rolling apply
  keys('q');
  await sleep(800);
  type('clear; node dist/cli.js doctor');
  keys('Enter');
  await sleep(4000);
  recording = false;
  await capture;
  spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });

  // Identical frames merge into one longer frame.
  const distinct: { text: string; ms: number }[] = [];
  frames.forEach((f, i) => {
    const next = frames[i + 1]?.at ?? f.at + 2000;
    const last = distinct.at(-1);
    if (last && last.text === f.text) last.ms += next - f.at;
    else distinct.push({ text: f.text, ms: next - f.at });
  });
  const pngs: string[] = [];
  distinct.forEach((f, i) => {
    const svg = join(work, `f${String(i).padStart(4, '0')}.svg`);
    writeFileSync(svg, frameSvg(f.text, COLS, ROWS));
    const png = svg.replace(/\.svg$/, '.png');
    execFileSync('rsvg-convert', ['-o', png, svg]);
    pngs.push('-delay', String(Math.max(2, Math.round(f.ms / 10))), png);
  });
  const raw = join(work, 'raw.gif');
  execFileSync('convert', ['-loop', '0', ...pngs, '-layers', 'Optimize', raw]);
  execFileSync('gifsicle', ['-O3', '--colors', '64', '-o', out, raw]);
  const seconds = distinct.reduce((a, f) => a + f.ms, 0) / 1000;
  process.stdout.write(
    `demo.gif: ${distinct.length} distinct frames of ${frames.length}, ${seconds.toFixed(1)} s → ${out}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`demo-gif: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
