// The real PyTorch image `tfmon up --framework pytorch` runs: made by the script shipped with tfmon
// (scripts/torch-image.sh: Debian's python3-torch in a debootstrap root file system, docker import,
// then sim/ddp_train.py copied in), cached by its content. Minutes and 1.3 GB the first time: the
// script says what it does on stderr, which is the user's.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { EngineError } from './errors.js';
import { packageFile } from './sim-image.js';

/** The image's reference, built when missing. The docker CLI does the work: the engine is `host`
 * when it is a socket or TCP address the CLI reaches the same way. */
export function ensureTorchImage(host: string): Promise<string> {
  const env = { ...process.env, ...(/^(unix|tcp):\/\//.test(host) ? { DOCKER_HOST: host } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [packageFile(join('scripts', 'torch-image.sh'))], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e) => reject(new EngineError(`cannot build the PyTorch image: ${e.message}`)));
    child.on('close', (code) => {
      const ref = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && /^tfmon-torch:[\w.-]+$/.test(ref)) resolve(ref);
      else
        reject(
          new EngineError(
            `the PyTorch image could not be built (scripts/torch-image.sh exited ${code}; its reason is above)`,
          ),
        );
    });
  });
}
