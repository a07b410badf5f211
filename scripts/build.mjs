// The build: the shipped CLI as one bundle (dist/cli.js and the chunks it loads lazily, in
// dist/chunks/), and the bench and demo scripts for development (dist/bench, dist/scripts).
// Why a bundle: tree-shaking. Ink imports one function from es-toolkit's barrel, which as files costs
// ~50 ms of every live screen's start (hundreds of modules); bundled, only that function is there.
// Types are checked by tsc separately (npm run typecheck, and npm test).
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';

// What esbuild's ESM output lacks for the CommonJS dependencies it wraps (docker-modem, ssh2…).
const banner = [
  "import { createRequire as __tfmonCreateRequire } from 'node:module';",
  "import { fileURLToPath as __tfmonFileURLToPath } from 'node:url';",
  'const require = __tfmonCreateRequire(import.meta.url);',
  'const __filename = __tfmonFileURLToPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join(' ');

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  splitting: true,
  banner: { js: banner },
  // React's production build, always: the CLI never wants the development one (slower, and in React
  // 19 it keeps a performance measure per render). Ink's devtools are for Ink's own development.
  define: { 'process.env.NODE_ENV': '"production"' },
  // Optional native parts of ssh2 (loaded in try/catch; it falls back to JavaScript) and Ink's
  // devtools (imported only when DEV=true).
  external: ['react-devtools-core', 'cpu-features', '*.node'],
  logLevel: 'warning',
};

rmSync('dist', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: ['cli.tsx'],
  outdir: 'dist',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
});
chmodSync('dist/cli.js', 0o755);
await build({
  ...common,
  entryPoints: ['bench/run.ts', 'scripts/demo/record.ts', 'scripts/demo/render.ts'],
  outbase: '.',
  outdir: 'dist',
  entryNames: '[dir]/[name]',
  chunkNames: 'dev-chunks/[name]-[hash]',
});
