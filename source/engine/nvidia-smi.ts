// Runs nvidia-smi, asynchronously and bounded (a hung driver must not hang tfmon).
import { execFile } from 'node:child_process';
import { APP_FIELDS, GPU_FIELDS } from '../cluster/gpu.js';

export type SmiResult = { ok: true; stdout: string } | { ok: false; absent: boolean; error: string };

const binary = (): string => process.env['TFMON_NVIDIA_SMI'] || 'nvidia-smi';

function run(args: string[], timeoutMs: number): Promise<SmiResult> {
  return new Promise((resolve) => {
    execFile(binary(), args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, stdout });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES')
        return resolve({ ok: false, absent: true, error: 'nvidia-smi not found' });
      const why = (stderr || stdout || error.message).trim().split('\n')[0] ?? 'failed';
      resolve({ ok: false, absent: false, error: `nvidia-smi: ${why}` });
    });
  });
}

export const queryGpus = (timeoutMs = 5000): Promise<SmiResult> =>
  run([`--query-gpu=${GPU_FIELDS.join(',')}`, '--format=csv,noheader,nounits'], timeoutMs);

export const queryComputeApps = (timeoutMs = 5000): Promise<SmiResult> =>
  run([`--query-compute-apps=${APP_FIELDS.join(',')}`, '--format=csv,noheader,nounits'], timeoutMs);
