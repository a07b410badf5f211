#!/usr/bin/env -S node --max-semi-space-size=2
// tfmon's entry point. It checks the Node.js version before anything else is loaded (ESM imports are
// evaluated before a module's body, so this file imports nothing statically): on an older Node one
// line says what is needed, exit 2, instead of a crash on some missing API deep in a dependency.
// The small young generation (shebang) keeps the long-running screen's resident memory ~16 MiB lower
// at no measurable CPU cost; V8 ignores it when set after start-up.
const MIN_NODE_MAJOR = 22;
const found = process.versions.node;
if (Number(found.split('.')[0]) < MIN_NODE_MAJOR) {
  process.stderr.write(`tfmon: needs Node.js ${MIN_NODE_MAJOR} or newer; this is Node.js ${found} (${process.execPath})\n`);
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
await import('./source/cli/main.js');
