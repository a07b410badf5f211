// `--at`: a time in a recording, as a person names it the morning after: an ISO 8601 time
// (2026-12-05T02:58:00Z), a clock time in the machine's time zone (02:58, 02:58:30: its last
// occurrence that the recording holds), or a time back from the recording's end (-5m, -90s, -2h).

/** The time (ms since the epoch), or the one-line reason the value names no time in [start, end]. */
export function parseAt(value: string, start: number, end: number): number | string {
  const span = `the recording runs from ${new Date(start).toISOString()} to ${new Date(end).toISOString()}`;
  const back = /^-(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(value);
  let t: number;
  if (back) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[back[2] as 's' | 'm' | 'h' | 'd'];
    t = end - Number(back[1]) * unit;
  } else {
    const clock = /^(\d{1,2}):(\d\d)(?::(\d\d))?$/.exec(value);
    if (clock) {
      const [h, m, s] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
      if (h > 23 || m > 59 || s > 59) return `--at ${value}: not a clock time (HH:MM or HH:MM:SS)`;
      // The last day at that clock time not after the recording's end.
      const d = new Date(end);
      d.setHours(h, m, s, 0);
      if (d.getTime() > end) d.setDate(d.getDate() - 1);
      t = d.getTime();
    } else if (/^\d{4}-\d\d-\d\d/.test(value) && Number.isFinite(Date.parse(value))) {
      t = Date.parse(value);
    } else {
      return `--at must be a time like 2026-12-05T02:58:00Z, a clock time like 02:58, or -5m from the end; got "${value}"`;
    }
  }
  if (t < start || t > end) return `--at ${value} is outside the recording: ${span}`;
  return t;
}
