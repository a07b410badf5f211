// Locale and color preferences from the environment. No React here: `status` imports it.

/** ASCII glyphs unless the locale says UTF-8 (LC_ALL, then LC_CTYPE, then LANG, as libc decides). */
export function asciiOnly(env: NodeJS.ProcessEnv = process.env): boolean {
  const locale = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || '';
  if (env['TFMON_ASCII'] === '1') return true;
  return !/utf-?8/i.test(locale);
}

/** https://no-color.org: any non-empty NO_COLOR turns colors off; so does TERM=dumb. */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env['NO_COLOR'] && env['TERM'] !== 'dumb';
}
