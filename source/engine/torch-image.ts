// The real PyTorch image `tfmon up --framework pytorch` runs: made by the script shipped with tfmon
// (scripts/torch-image.sh: Debian's python3-torch in a debootstrap root file system, docker import,
// then sim/ddp_train.py copied in), cached by its content. Minutes and 1.3 GB the first time: the
// script says what it does on stderr, which is the user's.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from './errors.js';

function scriptPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'scripts', 'torch-image.sh');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new EngineError('scripts/torch-image.sh is missing from this tfmon install');
}

/** The image's reference, built when missing. The docker CLI does the work: the engine is `host`
 * when it is a socket or TCP address the CLI reaches the same way. */
export function ensureTorchImage(host: string): Promise<string> {
  const env = { ...process.env, ...(/^(unix|tcp):\/\//.test(host) ? { DOCKER_HOST: host } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [scriptPath()], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e) => reject(new EngineError(`cannot build the PyTorch image: ${e.message}`)));
    child.on('close', (code) => {
      const ref = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && /^tfmon-torch:[\w.-]+$/.test(ref)) resolve(ref);
      else reject(new EngineError(`the PyTorch image could not be built (scripts/torch-image.sh exited ${code}; its reason is above)`));
    });
  });
}
