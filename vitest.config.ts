import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const replacements: { importer: string; import: string; with: string; inTests?: string }[] = JSON.parse(
  readFileSync('source/ui/ink/replacements.json', 'utf8'),
);

export default defineConfig({
  // As the build does: tfmon's version for what it writes (a recording's header).
  define: { __TFMON_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  plugins: [
    {
      // As the build does (scripts/build.mjs), parts of Ink's render path are tfmon's; the frame
      // buffer is a pair in the tests, that draws each frame with Ink's and tfmon's and records any
      // difference.
      name: 'tfmon-ink-replacements',
      enforce: 'pre',
      resolveId(source, importer) {
        const from = importer?.replaceAll('\\', '/');
        const r = replacements.find((x) => x.import === source && from?.endsWith(`/node_modules/${x.importer}`));
        return r ? resolve(r.inTests ?? r.with) : undefined;
      },
      // Ink and its testing library are published without their sources: their files' source-map
      // comments would each print a warning.
      load(id) {
        return /[\\/]node_modules[\\/]ink(-testing-library)?[\\/]build[\\/].*\.js$/.test(id)
          ? readFileSync(id, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '')
          : undefined;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/helpers/setup.ts'],
    // Ink goes through vite (so the plugin above applies), and so does everything that imports it,
    // so the screen tests and their renderer share one Ink.
    server: { deps: { inline: ['ink', 'ink-testing-library'] } },
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Integration files each make their own cluster; two cores do not gain from running them at once.
    fileParallelism: false,
  },
});
