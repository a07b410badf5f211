// Replay's time bar, the screen's last row: playing or paused and how fast, the time shown (the
// machine's clock, as `b` and --at take it), where it is in the recording with its events marked,
// and the last event at or before it. Or, while `b` is typed, the time being typed.
import { Text } from 'ink';
import type React from 'react';
import type { TimelineView } from '../record/replay-player.js';
import { sanitize } from '../text/sanitize.js';
import { truncate } from '../text/width.js';
import { tint, type Theme } from './theme.js';

export interface TimelineSource {
  subscribe(listener: () => void): () => void;
  getTimeline(): TimelineView;
}

const two = (n: number): string => String(n).padStart(2, '0');
/** The local clock time, with the date when the recording spans more than one day. */
export function clockText(t: number, withDate: boolean): string {
  const d = new Date(t);
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return withDate ? `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}` : time;
}

/** The bar: `cells` wide, the part played heavy, the events marked, the cursor where `at` is. */
export function barText(v: TimelineView, cells: number, ascii: boolean): string {
  const span = Math.max(1, v.end - v.start);
  const cellOf = (t: number): number => Math.min(cells - 1, Math.max(0, Math.floor(((t - v.start) / span) * cells)));
  const out: string[] = [];
  const cursor = cellOf(v.at);
  for (let i = 0; i < cells; i++) out.push(i < cursor ? (ascii ? '=' : '━') : ascii ? '-' : '─');
  for (const e of v.events) out[cellOf(e.t)] = ascii ? '*' : '•';
  out[cursor] = ascii ? 'O' : '●';
  return out.join('');
}

export function TimeBar({
  timeline,
  draft,
  width,
  theme,
}: {
  timeline: TimelineView;
  draft: string | null;
  width: number;
  theme: Theme;
}): React.JSX.Element {
  const v = timeline;
  if (draft !== null) {
    return (
      <Text wrap="truncate" color={tint(theme, 'yellow')}>
        {truncate(
          `go to: ${draft}_   (02:58, 2026-12-05T02:58:00Z, -5m; Enter goes, Esc cancels)`,
          width - 1,
          theme.ascii,
        )}
      </Text>
    );
  }
  const withDate = new Date(v.start).toDateString() !== new Date(v.end).toDateString();
  const state = `${v.playing ? (theme.ascii ? '>' : '▶') : theme.ascii ? '||' : '⏸'} ${v.speed}x`;
  const left = `${state} ${clockText(v.at, withDate)} `;
  const event = v.eventIndex >= 0 ? v.events[v.eventIndex] : undefined;
  const right = v.gap
    ? ` ${sanitize(v.gap)}`
    : event
      ? ` ${v.eventIndex + 1}/${v.events.length} ${clockText(event.t, false)} ${sanitize(event.text)}`
      : ` ${v.events.length} event${v.events.length === 1 ? '' : 's'}`;
  // The bar takes what the words leave, a third of the width at most and 10 cells at least.
  const cells = Math.max(10, Math.min(Math.floor(width / 3), width - 1 - left.length - 24));
  return (
    <Text wrap="truncate">
      <Text color={tint(theme, v.playing ? 'green' : 'cyan')}>{left}</Text>
      <Text color={tint(theme, 'gray')}>{barText(v, cells, theme.ascii)}</Text>
      <Text color={tint(theme, v.gap ? 'red' : event?.kind === 'resolved' ? 'green' : event ? 'yellow' : 'gray')}>
        {truncate(right, Math.max(1, width - 1 - left.length - cells), theme.ascii)}
      </Text>
    </Text>
  );
}
