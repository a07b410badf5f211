// The actions bench: `+` until the new worker runs and answers in the matrix, and a rolling apply of
// regenerated TF_CONFIG over 1 ps + 4 workers (the nodes a `+` left stale).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { lastWorker, tfConfigPlan } from '../source/cluster/regenerate.js';
import { applyTfConfig, scaleDown, scaleUp } from '../source/engine/cluster-actions.js';
import { Engine } from '../source/engine/engine.js';
import { ClusterMonitor } from '../source/monitor/cluster-monitor.js';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

export interface ActionFigures {
  upToRunningMs: number[];
  upToReachableMs: number[];
  applyMs: number;
  recreated: number;
}

export async function actionsBench(prefix: string, labelKV: string): Promise<ActionFigures> {
  const network = `${prefix}-act`;
  const [key, value = ''] = labelKV.split('=');
  spawnSync(
    process.execPath,
    [CLI, 'up', '--network', network, '--label', labelKV, '--prefix', `${prefix}a`, '--workers', '4'],
    { stdio: 'ignore' },
  );
  const engine = new Engine();
  const monitor = new ClusterMonitor(engine, { network, labels: { [key!]: value }, probe: { intervalMs: 3_600_000 } });
  await monitor.start();
  const quiet = (): void => undefined;
  const upToRunningMs: number[] = [];
  const upToReachableMs: number[] = [];
  try {
    for (let run = 0; run < 3; run++) {
      const t0 = Date.now();
      const { name } = await scaleUp(engine, monitor.getSnapshot().nodes, network, quiet);
      upToRunningMs.push(Date.now() - t0);
      await monitor.waitFor((s) => s.nodes.some((n) => n.name === name && n.state === 'running'), 10_000);
      // Answering: its own TF port open to tfmon's host, and its pairs to the ps ok (the rounds an
      // event triggers, and probeNow's); bounded, so that a regression fails the bench, not hangs it.
      const until = Date.now() + 30_000;
      for (;;) {
        await monitor.probeNow();
        const s = monitor.getSnapshot();
        const node = s.nodes.find((n) => n.name === name);
        if (
          node &&
          s.listeners[node.id]?.state === 'ok' &&
          s.reachability.some((e) => e.from === name && e.tcp === 'ok')
        )
          break;
        if (Date.now() > until) throw new Error(`${name} did not answer within 30 s`);
      }
      upToReachableMs.push(Date.now() - t0);
      if (run < 2) {
        const last = lastWorker(monitor.getSnapshot().nodes)!;
        await scaleDown(engine, monitor.getSnapshot().nodes, last.id, quiet);
        await monitor.waitFor((s) => !s.nodes.some((n) => n.id === last.id), 20_000);
      }
    }
    const plan = tfConfigPlan(monitor.getSnapshot().nodes);
    if (!plan.ok) throw new Error(plan.error);
    const { recreated, ms } = await applyTfConfig(engine, monitor.getSnapshot().nodes, plan.plans, network, quiet);
    return { upToRunningMs, upToReachableMs, applyMs: ms, recreated: recreated.length };
  } finally {
    monitor.stop();
    spawnSync(process.execPath, [CLI, 'down', '--yes', '--network', network, '--label', labelKV], { stdio: 'ignore' });
  }
}
