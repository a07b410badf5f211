// `tfmon doctor`: every root problem tfmon can find, grouped by the node where the fix goes, each
// with a one-line fix and how many problems follow from it (--all lists them). Exit 1 with any root
// error, 0 with warnings only.
import { fixFor } from '../cluster/fixes.js';
import { exitCodeFor } from '../cluster/problems.js';
import type { Problem } from '../cluster/types.js';
import { sanitize } from '../text/sanitize.js';
import { monitorOf, monitorOptions, type CommonOptions, type Io } from './context.js';
import { publicEndpoints } from '../metrics/serving-note.js';
import { openRecordingFile, snapshotAtTime } from '../record/read.js';
import type { Snapshot } from '../cluster/types.js';

/** `tfmon doctor --at TIME FILE`: the diagnosis as it was recorded then (its problems and causes as
 * tfmon had them; nothing is probed or read again). */
export function runDoctorAt(file: string, at: string, json: boolean, io: Io, all = false): number {
  const rec = openRecordingFile(file);
  const { t, snapshot, warnings } = snapshotAtTime(rec, at);
  for (const w of warnings) io.err(`tfmon: ${file}: ${w}`);
  if (!json) io.out(`recorded at ${new Date(t).toISOString()} (${file})`);
  return doctorReport(snapshot, snapshot.problems, json, io, all, new Date(t).toISOString());
}

export async function runDoctor(common: CommonOptions, json: boolean, io: Io, all = false): Promise<number> {
  const monitor = monitorOf(common, monitorOptions(common, { usage: false }));
  const loaded = await monitor.load();
  // Reachability and the last error lines are part of the diagnosis: one round, one read.
  await Promise.all([
    monitor.probeNow(),
    monitor.readLastErrors(
      loaded.nodes.map((n) => n.id),
      100,
    ),
  ]);
  const s = monitor.getSnapshot();
  monitor.stop();
  // An endpoint of this user's tfmon open beyond loopback (tfmon serve --metrics 0.0.0.0:…).
  const problems: Problem[] = [
    ...s.problems,
    ...publicEndpoints().map(
      (e): Problem => ({
        severity: 'warning',
        node: null,
        code: 'metrics_public',
        nodes: [],
        causedBy: null,
        message: `tfmon (pid ${e.pid}, network ${e.network}) serves metrics on ${e.address}, beyond loopback: anyone who reaches this host reads your cluster's names and problems`,
      }),
    ),
  ];
  return doctorReport(s, problems, json, io, all);
}

/** The report of a snapshot's problems: JSON, or the roots grouped by the node where the fix goes. */
function doctorReport(
  s: Snapshot,
  problems: readonly Problem[],
  json: boolean,
  io: Io,
  all: boolean,
  recordedAt?: string,
): number {
  if (json) {
    io.out(
      JSON.stringify(
        {
          ...(recordedAt ? { recordedAt } : {}),
          network: s.network.name,
          nodes: s.nodes.length,
          problems: problems.map((p) => ({ ...p, fix: fixFor(p, s.network.name) })),
        },
        null,
        2,
      ),
    );
    return exitCodeFor(problems);
  }
  // Roots, grouped by the node where the fix goes; under each, how many problems follow from it.
  const roots = problems.filter((p) => !p.causedBy);
  const follow = (r: Problem): Problem[] =>
    problems.filter((p) => p.causedBy && p.causedBy.code === r.code && p.causedBy.node === r.node);
  const errors = roots.filter((p) => p.severity === 'error').length;
  const warnings = roots.length - errors;
  const consequences = problems.length - roots.length;
  io.out(
    `tfmon doctor: ${s.network.name}, ${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'} — ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${consequences ? `; ${consequences} more follow from them${all ? '' : ' (--all lists them)'}` : ''}`,
  );
  const groups = new Map<string, Problem[]>();
  for (const p of roots) groups.set(p.node ?? '(cluster)', [...(groups.get(p.node ?? '(cluster)') ?? []), p]);
  for (const [node, list] of groups) {
    io.out('');
    io.out(node);
    for (const p of list) {
      io.out(`  ${p.severity.padEnd(7)} ${p.code}: ${sanitize(p.message)}`);
      io.out(`          fix: ${fixFor(p, s.network.name)}`);
      const after = follow(p);
      if (after.length)
        io.out(`          explains ${after.length} more: ${[...new Set(after.map((c) => c.code))].join(', ')}`);
      if (all) for (const c of after) io.out(`            ${c.node ?? '(cluster)'}: ${c.code}: ${sanitize(c.message)}`);
    }
  }
  if (problems.length === 0) io.out('nothing to fix');
  return exitCodeFor(problems);
}
