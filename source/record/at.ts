// `--at`: a time in a recording, as a person names it the morning after: an ISO 8601 time
// (2026-12-05T02:58:00Z), a clock time in the machine's time zone (02:58, 02:58:30: its last
// occurrence that the recording holds), or a time back from the recording's end (-5m, -90s, -2h).
import { spanMs } from '../text/units.js';

/** The time (ms since the epoch), or the one-line reason the value names no time in [start, end]. */
export function parseAt(value: string, start: number, end: number): number | string {
  const span = `the recording runs from ${new Date(start).toISOString()} to ${new Date(end).toISOString()}`;
  const back = value.startsWith('-') ? spanMs(value.slice(1)) : null;
  let t: number;
  if (back !== null) {
    t = end - back;
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
