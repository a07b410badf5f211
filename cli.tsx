#!/usr/bin/env node
// tfmon's entry point. It checks the Node.js version before anything else is loaded (ESM imports are
// evaluated before a module's body, so this file imports nothing statically): on an older Node one
// line says what is needed, exit 2, instead of a crash on some missing API deep in a dependency.
const MIN_NODE_MAJOR = 22;
const found = process.versions.node;
if (Number(found.split('.')[0]) < MIN_NODE_MAJOR) {
  process.stderr.write(
    `tfmon: needs Node.js ${MIN_NODE_MAJOR} or newer; this is Node.js ${found} (${process.execPath})\n`,
  );
  process.exit(2);
}

// Compiled code of tfmon and its dependencies is cached on disk (Node's compile cache, in the
// temporary directory): a warm start parses nothing again. Best effort: a cache that cannot be
// written (another user's folder, a read-only /tmp) only costs the speed-up.
const { enableCompileCache } = await import('node:module');
try {
  enableCompileCache?.();
} catch {
  // the cache is an optimisation, never a reason to fail
}
// The live screen runs for hours: a young generation of 2 MiB semi-spaces (V8 grew the new space to
// 64 MiB under an allocation burst, 4 MiB with the flag: measured) keeps its resident memory lower at
// no measurable CPU cost. V8 reads the flag only at start-up, so the process replaces itself (same
// pid, same terminal) with it, before anything else loads; commands skip this: for them the small
// young generation cost ~20 ms of scavenges (measured). The same restart sets glibc's malloc to two
// arenas (unless the user chose a number): by default each of V8's and libuv's threads may get an
// arena of its own, which keeps freed memory resident (5–6 MiB at 200 nodes, measured).
const SMALL_YOUNG_GENERATION = '--max-semi-space-size=2';
if (
  process.stdout.isTTY &&
  process.env['TERM'] !== 'dumb' &&
  typeof process.execve === 'function' &&
  process.argv[1] &&
  !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))
) {
  const { liveScreenArgs } = await import('./source/cli/flag-table.js');
  if (liveScreenArgs(process.argv.slice(2))) {
    const env = { MALLOC_ARENA_MAX: '2', ...process.env };
    process.execve(
      process.execPath,
      [process.execPath, SMALL_YOUNG_GENERATION, ...process.execArgv, process.argv[1], ...process.argv.slice(2)],
      env,
    );
  }
}
await import('./source/cli/main.js');
