// Where a kept ssh:// login's sockets live: only in a directory of the user's own that no one else
// may enter (the forwarded socket is the remote engine), one name per ssh program and destination.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keptSockets } from '../../source/engine/ssh-tunnel.js';

const roots: string[] = [];
const root = (): string => {
  const r = mkdtempSync(join(tmpdir(), 'tfmon-kept-'));
  roots.push(r);
  return r;
};
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});
const uid = process.getuid!();
const target = { user: 'root', host: 'gpu-box', port: 2222 };

describe('keptSockets', () => {
  it('makes the directory mode 700 and names a pair per ssh program and destination', () => {
    const r = root();
    const a = keptSockets(target, r, '/usr/bin/ssh')!;
    expect(a.control.startsWith(join(r, `tfmon-ssh-${uid}`))).toBe(true);
    expect(statSync(join(r, `tfmon-ssh-${uid}`)).mode & 0o777).toBe(0o700);
    expect(a.local).toMatch(/[0-9a-f]{16}\.sock$/);
    expect(keptSockets(target, r, '/usr/bin/ssh')).toEqual(a);
    expect(keptSockets({ ...target, port: 22 }, r, '/usr/bin/ssh')!.local).not.toBe(a.local);
    expect(keptSockets(target, r, '/opt/other/ssh')!.local).not.toBe(a.local);
  });

  it('keeps nothing in a directory others may enter, or in a link to one', () => {
    const open = root();
    mkdirSync(join(open, `tfmon-ssh-${uid}`));
    chmodSync(join(open, `tfmon-ssh-${uid}`), 0o755);
    expect(keptSockets(target, open, '/usr/bin/ssh')).toBeNull();
    const linked = root();
    const elsewhere = join(linked, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, join(linked, `tfmon-ssh-${uid}`));
    expect(keptSockets(target, linked, '/usr/bin/ssh')).toBeNull();
  });
});
