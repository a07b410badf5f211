// `tfmon status [--json]`: one listing, printed, exit code 0 (1 when the engine or network fails).
import { asciiOnly } from '../text/locale.js';
import { monitorOf, monitorOptions, type CommonOptions, type Io } from './context.js';
import { statusJson } from '../cluster/status-json.js';
import { statusTable } from './status-table.js';
import { openRecordingFile, snapshotAtTime } from '../record/read.js';

/** Cut to the terminal's width for a person; never for a pipe, where a script reads whole names. */
const tableWidth = (): number => (process.stdout.isTTY ? process.stdout.columns || 120 : Number.MAX_SAFE_INTEGER);

export async function runStatus(options: CommonOptions & { json: boolean }, io: Io): Promise<number> {
  const monitor = monitorOf(options, monitorOptions(options));
  // CPU % needs two samples: wait about one interval for them, never much longer (the stats API's
  // second sample comes a second after the first, later over a slow link: up to 3 s for it; the
  // wait ends as soon as every node has one). Probing runs one round meanwhile.
  await monitor.load();
  const wait = options.usage ? options.usage.intervalMs * 1.5 + 300 : 0;
  await Promise.all([
    options.usage
      ? monitor.awaitUsage(monitor.getSnapshot().usageSource === 'api' ? Math.max(wait, 3000) : wait)
      : null,
    options.probe ? monitor.probeNow() : null,
    monitor.readLastErrors(
      monitor.getSnapshot().nodes.map((n) => n.id),
      100,
    ),
    monitor.swarmNodesNow(),
  ]);
  const snapshot = monitor.getSnapshot();
  monitor.stop();
  if (options.json) io.out(JSON.stringify(statusJson(snapshot), null, 2));
  else io.out(statusTable(snapshot, Date.now(), tableWidth(), asciiOnly()));
  return 0;
}

/** `tfmon status --at TIME FILE`: the same, from a recording: the cluster as it was recorded at
 * TIME. The file's warnings (a torn end, a damaged stretch) go to stderr, one line each. */
export async function runStatusAt(file: string, at: string, json: boolean, io: Io): Promise<number> {
  const rec = openRecordingFile(file);
  const { t, snapshot, warnings } = snapshotAtTime(rec, at);
  for (const w of warnings) io.err(`tfmon: ${file}: ${w}`);
  if (json) io.out(JSON.stringify({ recordedAt: new Date(t).toISOString(), ...statusJson(snapshot) }, null, 2));
  else {
    io.out(`recorded at ${new Date(t).toISOString()} (${file})`);
    io.out(statusTable(snapshot, t, tableWidth(), asciiOnly()));
  }
  return 0;
}
