// `tfmon doctor`: every problem tfmon can find, grouped by node, each with a one-line fix.
// Exit 1 with any error, 0 with warnings only.
import { fixFor } from '../cluster/fixes.js';
import { exitCodeFor } from '../cluster/problems.js';
import type { Problem } from '../cluster/types.js';
import { sanitize } from '../text/sanitize.js';
import { monitorOf, type CommonOptions, type Io } from './context.js';

export async function runDoctor(common: CommonOptions, json: boolean, io: Io): Promise<number> {
  const monitor = monitorOf(common, {
    network: common.network,
    labels: common.labels,
    ...(common.probe ? { probe: common.probe } : {}),
  });
  const loaded = await monitor.load();
  // Reachability and the last error lines are part of the diagnosis: one round, one read.
  await Promise.all([monitor.probeNow(), monitor.readLastErrors(loaded.nodes.map((n) => n.id), 100)]);
  const s = monitor.getSnapshot();
  monitor.stop();
  const problems = s.problems;
  if (json) {
    io.out(JSON.stringify({ network: s.network.name, nodes: s.nodes.length, problems: problems.map((p) => ({ ...p, fix: fixFor(p, s.network.name) })) }, null, 2));
    return exitCodeFor(problems);
  }
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  io.out(`tfmon doctor: ${s.network.name}, ${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'} — ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  const groups = new Map<string, Problem[]>();
  for (const p of problems) groups.set(p.node ?? '(cluster)', [...(groups.get(p.node ?? '(cluster)') ?? []), p]);
  for (const [node, list] of groups) {
    io.out('');
    io.out(node);
    for (const p of list) {
      io.out(`  ${p.severity.padEnd(7)} ${p.code}: ${sanitize(p.message)}`);
      io.out(`          fix: ${fixFor(p, s.network.name)}`);
    }
  }
  if (problems.length === 0) io.out('nothing to fix');
  return exitCodeFor(problems);
}
