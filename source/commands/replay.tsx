// `tfmon replay FILE [--at TIME]`: the live screen drawn from a recording, read-only, with a time bar
// (ui/TimeBar.tsx) and replay's keys (←/→ a second, [/] an event, b a time, space play, x speed).
// Nothing here reaches an engine: the recording is the only input, and it is untrusted.
import { Box, render, Text, useApp, useInput } from 'ink';
import type React from 'react';
import { useMemo, useSyncExternalStore } from 'react';
import { parseAt } from '../record/at.js';
import { RecordingError } from '../record/errors.js';
import { openRecordingFile } from '../record/read.js';
import { ReplayPlayer, type TimeMove } from '../record/replay-player.js';
import { asciiOnly, colorEnabled } from '../text/locale.js';
import { sanitize } from '../text/sanitize.js';
import { App } from '../ui/App.js';
import { DrawGuard } from '../ui/DrawGuard.js';
import { homeAfterAlternateScreen } from '../ui/screen-top.js';
import type { Size } from '../ui/terminal.js';
import type { Theme } from '../ui/theme.js';
import type { Io } from './context.js';

/** A second that cannot be drawn: one line, and the keys that move on (or quit). */
function Unreadable({ error, player }: { error: string; player: ReplayPlayer }): React.JSX.Element {
  const { exit } = useApp();
  useInput((input, key) => {
    if (key.leftArrow) player.move('back');
    else if (key.rightArrow) player.move('forward');
    else if (input === '[') player.move('previousEvent');
    else if (input === ']') player.move('nextEvent');
    else if (input === 'q' || (key.ctrl && input === 'c')) exit();
  });
  return (
    <Box flexDirection="column">
      <Text color="red" wrap="truncate">
        {`this second of the recording cannot be drawn (${sanitize(error).slice(0, 200)})`}
      </Text>
      <Text wrap="truncate">←/→ a second, [/] an event, q quits</Text>
    </Box>
  );
}

/** The screen over the player: the same App as live, its sources the recording's, inside a guard
 * that a new second resets. */
export function ReplayRoot({
  player,
  theme,
  size,
}: {
  player: ReplayPlayer;
  theme: Theme;
  /** Fixed size for tests; the terminal's otherwise. */
  size?: Size;
}): React.JSX.Element {
  const timeline = useSyncExternalStore(player.subscribe, player.getTimeline);
  const sources = useMemo(
    () => ({
      store: { subscribe: player.subscribe, getSnapshot: player.getSnapshot },
      timeline: { subscribe: player.subscribe, getTimeline: player.getTimeline },
      actions: {
        probe: () => undefined,
        readOnly: true,
        replay: { move: (m: TimeMove) => player.move(m), goTo: (text: string) => player.goTo(text) },
      },
    }),
    [player],
  );
  return (
    <DrawGuard resetKey={timeline.at} fallback={(error) => <Unreadable error={error} player={player} />}>
      <App
        store={sources.store}
        logs={player.logs}
        timeline={sources.timeline}
        clock={player.clock}
        theme={theme}
        actions={sources.actions}
        {...(size ? { size } : {})}
      />
    </DrawGuard>
  );
}

export async function runReplay(file: string, at: string | undefined, io: Io): Promise<number> {
  if (!process.stdout.isTTY || process.env['TERM'] === 'dumb')
    throw new RecordingError(
      'replay draws a screen: run it in a terminal (for scripts: tfmon status --json --at TIME FILE)',
    );
  const rec = openRecordingFile(file);
  let start = rec.start;
  if (at !== undefined) {
    const t = parseAt(at, rec.start, rec.end);
    if (typeof t === 'string') throw new RecordingError(t);
    start = t;
  }
  let player: ReplayPlayer;
  try {
    player = new ReplayPlayer(rec, start);
  } catch (e) {
    throw new RecordingError(`${file}: ${(e as Error).message}`);
  }
  for (const w of player.warnings) io.err(`tfmon: ${file}: ${w}`);
  // React reports an error its boundary caught on the console, which would land on the screen: the
  // boundary's line says it instead.
  console.error = () => undefined;
  const app = render(<ReplayRoot player={player} theme={{ color: colorEnabled(), ascii: asciiOnly() }} />, {
    stdout: homeAfterAlternateScreen(process.stdout),
    maxFps: 30,
    exitOnCtrlC: true,
    patchConsole: false,
    interactive: true,
    alternateScreen: true,
    incrementalRendering: true,
  });
  const onTerm = (): void => app.unmount();
  process.once('SIGTERM', onTerm);
  await app.waitUntilExit();
  process.off('SIGTERM', onTerm);
  player.stop();
  return 0;
}
