// tfmon as a user installs it: the packed tarball installed into a prefix of its own, in a folder
// every user can enter. Tests that run tfmon as another user (nobody) run it from here, never from
// the checkout, which may sit in a directory only its owner can enter (/root, a mode-700 home).
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';

export interface Installed {
  /** The folder holding the tarball, the prefix and (when needed) a node binary; mode 755. */
  work: string;
  tarball: string;
  /** The installed `tfmon` command (a link into the prefix's lib). */
  bin: string;
  /** The installed entry point, to run with `node` explicitly. */
  cli: string;
  /** A node binary every user can run: the tests' own, or a copy of it when its folder is private. */
  node: string;
  remove(): void;
}

/** True when every folder above `path` can be entered and the file read and run by any user. */
function openToAll(path: string): boolean {
  const parts = path.split(sep).filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const p = sep + parts.slice(0, i + 1).join(sep);
    const mode = statSync(p).mode;
    const isLast = i === parts.length - 1;
    if (!isLast && (mode & 0o001) === 0) return false; // a folder others cannot enter
    if (isLast && (mode & 0o005) !== 0o005) return false; // a file others cannot read and run
  }
  return true;
}

/** npm pack of the checkout (the build must exist), installed into a fresh world-readable prefix. */
export function installPackedTarball(root: string): Installed {
  const work = mkdtempSync(join(tmpdir(), 'tfmon-installed-'));
  chmodSync(work, 0o755); // mkdtemp makes it 700: nobody could not enter it
  // --ignore-scripts: the build is there already (npm test built it); pack must not run tsc again.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], {
    cwd: root,
    encoding: 'utf8',
  });
  const [info] = JSON.parse(out) as { filename: string }[];
  const tarball = join(work, info!.filename);
  const prefix = join(work, 'prefix');
  // From npm's cache when it holds the dependencies (after npm ci); from the registry otherwise.
  const r = spawnSync(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`npm install -g of the tarball failed: ${r.stderr.slice(-800)}`);
  let node = process.execPath;
  if (!openToAll(node)) {
    // A Node the project's scripts brought lives inside the checkout: hand other users a copy.
    node = join(work, 'node');
    copyFileSync(process.execPath, node);
    chmodSync(node, 0o755);
  }
  accessSync(dirname(node), constants.X_OK);
  return {
    work,
    tarball,
    bin: join(prefix, 'bin', 'tfmon'),
    cli: join(prefix, 'lib', 'node_modules', 'tfmon', 'dist', 'cli.js'),
    node,
    remove: () => rmSync(work, { recursive: true, force: true }),
  };
}
