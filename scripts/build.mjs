// The build: the shipped CLI as one bundle (dist/cli.js and the chunks it loads lazily, in
// dist/chunks/), and the bench and demo scripts for development (dist/bench, dist/scripts).
// Why a bundle: tree-shaking. Ink imports one function from es-toolkit's barrel, which as files costs
// ~50 ms of every live screen's start (hundreds of modules); bundled, only that function is there.
// Types are checked by tsc separately (npm run typecheck, and npm test).
import { build } from 'esbuild';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

// What esbuild's ESM output lacks for the CommonJS dependencies it wraps (docker-modem, ssh2…).
const banner = [
  "import { createRequire as __tfmonCreateRequire } from 'node:module';",
  "import { fileURLToPath as __tfmonFileURLToPath } from 'node:url';",
  'const require = __tfmonCreateRequire(import.meta.url);',
  'const __filename = __tfmonFileURLToPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join(' ');

// Parts of Ink's render path replaced by tfmon's (source/ui/ink/replacements.json; each file says
// why: Ink's frame buffer and text caches, rebuilt to keep their work across frames, same output).
// A build that finds one of them not imported fails: Ink moved it, and the screen would silently
// draw with the slow one again.
const replacements = JSON.parse(readFileSync('source/ui/ink/replacements.json', 'utf8'));
const inkReplacements = () => {
  const used = new Set();
  return {
    name: 'tfmon-ink-replacements',
    setup(b) {
      b.onResolve({ filter: /./ }, (args) => {
        const r = replacements.find(
          (x) => x.import === args.path && args.importer.replaceAll('\\', '/').endsWith(`/node_modules/${x.importer}`),
        );
        if (!r) return undefined;
        used.add(r);
        return { path: resolve(r.with) };
      });
      b.onEnd((result) => {
        const missing = replacements.filter((r) => !used.has(r));
        if (result.errors.length === 0 && missing.length > 0) {
          for (const r of missing) {
            result.errors.push({
              text: `${r.importer} no longer imports ${r.import}: see source/ui/ink/replacements.json`,
            });
          }
        }
      });
    },
  };
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  splitting: true,
  banner: { js: banner },
  // React's production build, always: the CLI never wants the development one (slower, and in React
  // 19 it keeps a performance measure per render). Ink's devtools are for Ink's own development.
  // tfmon's version for what it writes (a recording's header).
  define: {
    'process.env.NODE_ENV': '"production"',
    __TFMON_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version),
  },
  // Optional native parts of ssh2 (loaded in try/catch; it falls back to JavaScript) and Ink's
  // devtools (imported only when DEV=true).
  external: ['react-devtools-core', 'cpu-features', '*.node'],
  logLevel: 'warning',
};
// TFMON_STOCK_INK=1 builds with Ink's own render path, to compare (the bench's frame rows).
const plugins = () => (process.env.TFMON_STOCK_INK === '1' ? [] : [inkReplacements()]);

rmSync('dist', { recursive: true, force: true });
await build({
  ...common,
  plugins: plugins(),
  entryPoints: ['cli.tsx'],
  outdir: 'dist',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
});
chmodSync('dist/cli.js', 0o755);
await build({
  ...common,
  plugins: plugins(),
  entryPoints: ['bench/run.ts', 'scripts/demo/record.ts', 'scripts/demo/render.ts'],
  outbase: '.',
  outdir: 'dist',
  entryNames: '[dir]/[name]',
  chunkNames: 'dev-chunks/[name]-[hash]',
});
