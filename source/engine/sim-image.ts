// The simulated TF node image: a static busybox plus sim/tfsim.sh, made with `docker import`
// (no registry, no pulls). Its tag is a hash of its inputs, so building is idempotent.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from './engine.js';
import { EngineError } from './errors.js';
import { tarArchive, type TarEntry } from './tar.js';

export const SIM_REPO = 'tfmon-sim';
const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

/** A file tfmon ships (`sim/tfsim.sh`, `scripts/torch-image.sh`), found from this module both in
 * source/ (tests) and in dist/ (installed). */
export function packageFile(relative: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new EngineError(`${relative} is missing from this tfmon install`);
}

export const simScriptPath = (): string => packageFile(join('sim', 'tfsim.sh'));

/** true when the ELF file has no program interpreter (statically linked). */
export function isStaticElf(data: Buffer): boolean {
  if (data.length < 64 || data.readUInt32BE(0) !== 0x7f454c46 || data[4] !== 2) return false; // ELF64 only
  const little = data[5] === 1;
  const u16 = (o: number): number => (little ? data.readUInt16LE(o) : data.readUInt16BE(o));
  const u64 = (o: number): number => Number(little ? data.readBigUInt64LE(o) : data.readBigUInt64BE(o));
  const phoff = u64(0x20);
  const phentsize = u16(0x36);
  const phnum = u16(0x38);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > data.length) return false;
    const type = little ? data.readUInt32LE(at) : data.readUInt32BE(at);
    if (type === 3) return false; // PT_INTERP
  }
  return true;
}

function findStaticBusybox(): { path: string; data: Buffer } {
  const candidates = process.env['TFMON_BUSYBOX'] ? [process.env['TFMON_BUSYBOX']] : BUSYBOX_CANDIDATES;
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    const data = readFileSync(path);
    if (isStaticElf(data)) return { path, data };
  }
  throw new EngineError(
    'the simulated TF node needs a static busybox: apt-get install busybox-static (or set TFMON_BUSYBOX, or pass --image)',
  );
}

export interface SimImageInputs {
  script: Buffer;
  busybox: Buffer;
  applets: string[];
}

export function simImageTag(inputs: SimImageInputs): string {
  const hash = createHash('sha256')
    .update(inputs.script)
    .update(inputs.busybox)
    .update(inputs.applets.join(','))
    .digest('hex');
  return `${SIM_REPO}:${hash.slice(0, 12)}`;
}

export function simRootfs(inputs: SimImageInputs): Buffer {
  const entries: TarEntry[] = [
    ...['bin', 'etc', 'srv', 'proc', 'sys', 'dev', 'root'].map((path): TarEntry => ({ type: 'dir', path })),
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'file', path: 'bin/busybox', data: inputs.busybox, mode: 0o755 },
    { type: 'file', path: 'tfsim.sh', data: inputs.script, mode: 0o755 },
    { type: 'file', path: 'etc/passwd', data: Buffer.from('root:x:0:0:root:/root:/bin/sh\n') },
    { type: 'file', path: 'etc/group', data: Buffer.from('root:x:0:\n') },
  ];
  for (const applet of inputs.applets) {
    if (applet !== 'busybox' && /^[a-z0-9_.[-]+$/.test(applet))
      entries.push({ type: 'symlink', path: `bin/${applet}`, target: 'busybox' });
  }
  return tarArchive(entries);
}

export function simImageInputs(): SimImageInputs {
  const busybox = findStaticBusybox();
  const applets = execFileSync(busybox.path, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
  return { script: readFileSync(simScriptPath()), busybox: busybox.data, applets };
}

/** The sim image's reference; imports it first when the engine lacks it. */
export async function ensureSimImage(engine: Engine): Promise<{ ref: string; built: boolean }> {
  const inputs = simImageInputs();
  const ref = simImageTag(inputs);
  if (await engine.images.imageExists(ref)) return { ref, built: false };
  await engine.images.importImage(simRootfs(inputs), ref, [
    'CMD ["/bin/sh", "/tfsim.sh"]',
    'ENV PATH=/bin',
    'LABEL tfmon.sim=1',
    'EXPOSE 2222',
  ]);
  return { ref, built: true };
}
