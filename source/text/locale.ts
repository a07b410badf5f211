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

/** OSC 8 hyperlinks: terminals known to show them (others would print the sequence's text or
 * nothing harmful, but a multiplexer may mangle it). FORCE_HYPERLINK=1/0 decides when set. */
export function supportsHyperlinks(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['FORCE_HYPERLINK'] !== undefined) return env['FORCE_HYPERLINK'] !== '0';
  if (env['TMUX'] || env['STY'] || env['TERM'] === 'dumb') return false;
  if (env['WT_SESSION'] || env['KONSOLE_VERSION'] || env['DOMTERM']) return true;
  if (['iTerm.app', 'WezTerm', 'vscode', 'ghostty'].includes(env['TERM_PROGRAM'] ?? '')) return true;
  if (env['TERM'] === 'xterm-kitty' || env['TERM'] === 'alacritty') return true;
  return Number(env['VTE_VERSION'] ?? 0) >= 5000;
}
