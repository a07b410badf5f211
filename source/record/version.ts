// tfmon's version, as the build writes it in (scripts/build.mjs and vitest.config.ts define it from
// package.json): a recording's header says which tfmon wrote it.
declare const __TFMON_VERSION__: string | undefined;

export const TFMON_VERSION: string = typeof __TFMON_VERSION__ === 'string' ? __TFMON_VERSION__ : 'dev';
