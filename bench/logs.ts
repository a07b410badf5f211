// The logs bench: one node printing 20,000 lines a second while tfmon's full-screen log view shows
// it, in a pseudo-terminal as a user runs it. Key press → next frame that shows the key's effect
// (`t` toggles timestamps), tfmon's CPU, and its resident memory second by second.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, rssBytes } from './procs.js';
import { tfmonPidUnder } from './procs.js';
import { parseTrainingLine } from '../source/cluster/progress.js';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// busybox awk: 20,000 lines at the start of every second, then idle until the next one.
const FLOOD = `exec awk 'BEGIN { while (1) { t = systime(); for (k = 0; k < 20000; k++) print "I flood " n++ " loss 0.1234 examples/sec 1234.5"; fflush(); while (systime() == t) system("sleep 0.05") } }'`;

/** The progress reader alone on the flood's lines: ms of CPU for one second of the flood (20,000
 * lines), the best of 5 runs. */
export function parseCostMs(): number {
  const lines = Array.from({ length: 20_000 }, (_, n) => `I flood ${n} loss 0.1234 examples/sec 1234.5`);
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const t0 = process.hrtime.bigint();
    let found = 0;
    for (const line of lines) if (parseTrainingLine(line)) found++;
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
    if (found) throw new Error('a flood line was taken for progress');
  }
  return best;
}

export interface LogFigures {
  seconds: number;
  linesPerSecond: number;
  keyMs: number[];
  cpuSeconds: number;
  rss: number[];
}

export async function logsBench(
  image: string,
  prefix: string,
  labelKV: string,
  seconds: number,
  extraArgs: string[] = [],
): Promise<LogFigures> {
  const network = `${prefix}-logs`;
  const name = `${prefix}-flood-worker-0`;
  spawnSync('docker', ['network', 'create', '--label', labelKV, network], { stdio: 'ignore' });
  spawnSync(
    'docker',
    ['run', '-d', '--name', name, '--network', network, '--label', labelKV, image, 'sh', '-c', FLOOD],
    { stdio: 'ignore' },
  );
  const [key, value = ''] = labelKV.split('=');
  const command = `stty cols 120 rows 40; exec ${CLI} --no-probe --network ${network} --label ${key}=${value}${extraArgs.map((a) => ` ${a}`).join('')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => {
    // Colors and cursor moves out, so the text of the frame can be matched.
    screen = (screen + chunk.toString('utf8').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')).slice(-20000);
  });
  try {
    await sleep(4000);
    child.stdin.write('l');
    await sleep(2000);
    const pid = tfmonPidUnder(child.pid ?? 0);
    const c0 = cpuSeconds(pid);
    const started = Date.now();
    const keyMs: number[] = [];
    const rss: number[] = [];
    let on = false;
    let nextRss = Date.now() + 1000;
    while (Date.now() - started < seconds * 1000) {
      on = !on;
      // A frame with the key's effect: flood lines with (or without) a timestamp before them.
      const want = on ? /\d\d:\d\d:\d\d\.\d{3} I flood \d+/ : /\s{2}I flood \d+ loss/;
      screen = '';
      const t0 = process.hrtime.bigint();
      child.stdin.write('t');
      while (!want.test(screen)) {
        await new Promise((r) => setImmediate(r));
        if (Number(process.hrtime.bigint() - t0) / 1e6 > 5000) throw new Error('no frame within 5 s of a key press');
      }
      keyMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      // Spread the presses over the window; sample memory once a second.
      const until = Date.now() + 700 + Math.random() * 600;
      while (Date.now() < until) {
        await sleep(50);
        if (Date.now() >= nextRss) {
          rss.push(rssBytes(pid));
          nextRss += 1000;
        }
      }
    }
    const cpu = cpuSeconds(pid) - c0;
    const elapsed = (Date.now() - started) / 1000;
    const logged = spawnSync(
      'sh',
      [
        '-c',
        `docker logs --since ${Math.floor(started / 1000)} --until ${Math.floor(Date.now() / 1000)} ${name} 2>/dev/null | wc -l`,
      ],
      { encoding: 'utf8' },
    ).stdout.trim();
    return { seconds: elapsed, linesPerSecond: Number(logged) / elapsed, keyMs, cpuSeconds: cpu, rss };
  } finally {
    child.stdin.write('q');
    await sleep(500);
    child.kill('SIGKILL');
    spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    spawnSync('docker', ['network', 'rm', network], { stdio: 'ignore' });
  }
}
