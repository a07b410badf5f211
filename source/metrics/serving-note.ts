// Where a `tfmon serve` (or a live screen with --metrics) of this user listens, written to
// $XDG_STATE_HOME/tfmon/metrics-<pid>.json while it runs: `tfmon doctor` reads these to warn about an
// endpoint open beyond loopback. Best effort: a note that cannot be written changes nothing else.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { formatAddress, isLoopback, type ListenAddress } from './address.js';

const dir = (): string => join(process.env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state'), 'tfmon');
const file = (pid: number): string => join(dir(), `metrics-${pid}.json`);

export function noteServing(at: ListenAddress, network: string): void {
  try {
    mkdirSync(dir(), { recursive: true, mode: 0o700 });
    writeFileSync(
      file(process.pid),
      JSON.stringify({ address: formatAddress(at), host: at.host, network, pid: process.pid }),
      { mode: 0o600 },
    );
  } catch {
    // not written: doctor will not know of it
  }
}

export function forgetServing(): void {
  rmSync(file(process.pid), { force: true });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The endpoints of this user's running tfmons that listen beyond loopback. */
export function publicEndpoints(): { address: string; network: string; pid: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir()).filter((n) => /^metrics-\d+\.json$/.test(n));
  } catch {
    return [];
  }
  const out: { address: string; network: string; pid: number }[] = [];
  for (const name of names) {
    try {
      const note = JSON.parse(readFileSync(join(dir(), name), 'utf8')) as {
        address?: unknown;
        host?: unknown;
        network?: unknown;
        pid?: unknown;
      };
      if (typeof note.pid !== 'number' || typeof note.host !== 'string' || typeof note.address !== 'string') continue;
      if (!alive(note.pid)) continue;
      if (!isLoopback(note.host))
        out.push({
          address: note.address,
          network: typeof note.network === 'string' ? note.network : '?',
          pid: note.pid,
        });
    } catch {
      // unreadable or half-written: skipped
    }
  }
  return out;
}
