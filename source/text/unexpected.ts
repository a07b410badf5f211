// The one line an unexpected error gets (a bug, not bad input): never a stack trace unless asked for.
export function unexpectedErrorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const details = process.env['TFMON_DEBUG']
    ? `\n${error instanceof Error ? error.stack : ''}`
    : ' (TFMON_DEBUG=1 for details)';
  return `tfmon: unexpected error: ${message}${details}\n`;
}
