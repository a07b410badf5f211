// `tfmon` in a terminal: the live screen, a command like status and serve. Starts the monitor, then
// the Ink screen (ui/App.tsx) with the keys' actions bound to the engine. Errors before the screen opens
// are one line on stderr.
import { writeFileSync } from 'node:fs';
import { dataGate } from '../ui/data-gate.js';
import type { LogSource } from '../ui/LogPanes.js';
import { render } from 'ink';
import { engineOf, monitorOf, monitorOptions, type CommonOptions } from './context.js';
import type { Engine } from '../engine/engine.js';
import type { Monitor } from '../monitor/monitor.js';
import { App, type ScreenActions } from '../ui/App.js';
import {
  applyTfConfig,
  restartNodes,
  scaleDown,
  scaleUp,
  writeTfConfigFiles,
  type Progress,
} from '../engine/cluster-actions.js';
import { regeneratesJob } from '../cluster/frameworks/registry.js';
import { lastWorker, tfConfigPlan } from '../cluster/regenerate.js';
import { applyJobVariables, resizeJob } from '../engine/job-actions.js';
import { asciiOnly, colorEnabled, supportsHyperlinks } from '../text/locale.js';
import { DEFAULT_LOG_OPTIONS } from '../monitor/log-follower.js';
import { unexpectedErrorLine } from '../text/unexpected.js';
import type { ListenAddress } from '../metrics/address.js';
import { homeAfterAlternateScreen } from '../ui/screen-top.js';
import { type RecordBounds, Recorder } from './recorder.js';

/** The least time between two frames drawn for data (keys draw at once): each frame renders the whole
 * screen (React, Ink's layout, tfmon's frame buffer: 3.5 ms and 2.8 MiB allocated at 160x60 with 50
 * nodes, docs/bench.md), and a monitor's figures move once a second at most (usage every 2 s,
 * progress lines, the log tail). */
const DATA_FRAME_MS = 1000;

/** The keys' actions, always on the monitor's current nodes, each on the engine that owns its node
 * (one engine, or several with --host repeated). */
export function clusterActions(
  engine: Engine,
  monitor: Monitor,
  options: Pick<CommonOptions, 'readOnly' | 'tfConfigDir'>,
): ScreenActions {
  const nodes = () => monitor.getSnapshot().nodes;
  const network = () => monitor.getSnapshot().network.name;
  const owner = (id: string): Engine => monitor.engineOf(id) ?? engine;
  const plans = () => {
    const plan = tfConfigPlan(nodes());
    if (!plan.ok) throw new Error(`cannot regenerate TF_CONFIG: ${plan.error}`);
    return plan.plans;
  };
  const readOnly = options.readOnly ?? false;
  return {
    probe: () => void monitor.probeNow('all'),
    matrixShown: (on) => monitor.setMatrixShown(on),
    usageFocus: (ids) => monitor.setUsageFocus(ids),
    readOnly,
    tfConfigDir: options.tfConfigDir ?? null,
    writeTfConfig: () => writeTfConfigFiles(options.tfConfigDir ?? '.', plans()),
    // --read-only: the screen is handed no way to change the cluster at all.
    ...(readOnly
      ? {}
      : {
          changes: {
            scaleUp: async (progress: Progress) => {
              // The copy is made where its source (the highest-index worker) runs.
              const source = lastWorker(nodes());
              await scaleUp(source ? owner(source.id) : engine, nodes(), network(), progress);
            },
            scaleDown: (id: string, progress: Progress) => scaleDown(owner(id), nodes(), id, progress),
            resizeJob: async (delta: 1 | -1, progress: Progress) => {
              await resizeJob(engine, nodes(), network(), delta, progress);
            },
            restart: async (ids: string[], progress: Progress) => {
              for (const id of ids) await restartNodes(owner(id), nodes(), [id], progress);
            },
            applyRegenerated: async (progress: Progress) => {
              // A network of PyTorch ranks and no TensorFlow task: the job's variables (it restarts whole).
              if (regeneratesJob(nodes())) {
                await applyJobVariables(engine, nodes(), network(), progress);
                return;
              }
              // One node at a time, each on its own engine: the rollout stays rolling across engines.
              for (const plan of plans().filter((p) => p.diff.length > 0))
                await applyTfConfig(owner(plan.node.id), nodes(), [plan], network(), progress);
            },
          },
        }),
  };
}

export interface ScreenOptions {
  /** Draw on the terminal's alternate screen and give the terminal back as it was (--no-alt-screen: false). */
  altScreen: boolean;
  /** --metrics: serve Prometheus metrics beside the screen; null: no endpoint. */
  metrics?: ListenAddress | null;
  /** --record FILE: record what the screen's monitor sees beside it; null: no recording. */
  record?: { file: string; bounds: RecordBounds } | null;
}

export async function runScreen(options: CommonOptions, tui: ScreenOptions = { altScreen: true }): Promise<number> {
  const engine = engineOf(options);
  const monitor = monitorOf(options, monitorOptions(options));
  await monitor.start();
  // Bound before the screen takes the terminal: an address in use is one line and exit 1, as usual.
  // prom-client is loaded only when asked for: the screen alone does not pay for it.
  const metrics = tui.metrics
    ? await (await import('../metrics/server.js'))
        .openEndpoint(monitor, tui.metrics, options.network)
        .catch((error: unknown) => {
          monitor.stop();
          throw error;
        })
    : null;
  // Opened before the screen takes the terminal: a file that cannot be written is one line, exit 1.
  let recorder: Recorder | null = null;
  try {
    recorder = tui.record ? new Recorder(monitor, tui.record.file, options.network, tui.record.bounds) : null;
  } catch (error) {
    monitor.stop();
    await metrics?.close();
    throw error;
  }
  const actions = clusterActions(engine, monitor, options);
  const theme = { color: colorEnabled(), ascii: asciiOnly() };
  // Data redraws the screen at most once a second (ui/data-gate.ts); keys at once.
  const gate = dataGate(DATA_FRAME_MS);
  const snapshots = gate.through({ subscribe: monitor.subscribe, read: () => monitor.getSnapshot() });
  const logVersions = gate.through({
    subscribe: (l) => monitor.logs.subscribe(l),
    read: () => monitor.logs.getVersion(),
  });
  const logs: LogSource = {
    subscribe: logVersions.subscribe,
    getVersion: logVersions.read,
    tail: (id, count) => monitor.logs.tail(id, count),
    lines: (id) => monitor.logs.lines(id),
    interleaved: (limit) => monitor.logs.interleaved(limit),
    jupyterOf: (id) => monitor.logs.jupyterOf(id),
    errorOf: (id) => monitor.logs.errorOf(id),
    show: (nodes) => monitor.logs.show(nodes),
  };
  // TFMON_FRAME_COUNT=FILE: the frames drawn and the data frames let through, written at exit (the bench reads it).
  let frames = 0;
  const frameCount = process.env['TFMON_FRAME_COUNT'];
  const started = Date.now();
  const writeFrameCount = (): void => {
    if (frameCount)
      writeFileSync(frameCount, JSON.stringify({ frames, data: gate.passed, seconds: (Date.now() - started) / 1000 }));
  };
  if (frameCount) process.once('exit', writeFrameCount);
  const app = render(
    <App
      store={{ subscribe: snapshots.subscribe, getSnapshot: snapshots.read }}
      logs={logs}
      logCapacity={options.logs?.capacity ?? DEFAULT_LOG_OPTIONS.capacity}
      theme={theme}
      hyperlinks={supportsHyperlinks()}
      actions={actions}
    />,
    // Data draws at most once a second (the gate above); 30 here is for keys: a key press is drawn
    // within 33 ms. `interactive`: stdout
    // is a terminal (the caller checked), so draw live even where CI=true is exported (Ink would
    // otherwise guess a CI job and draw only the last frame). On the alternate screen, Ink gives the
    // terminal back on unmount, which q, Ctrl-C, SIGTERM, SIGHUP and process exit all go through.
    // Incremental: only the lines that changed are rewritten (half the bytes of a 160x60 frame of
    // 50 nodes, measured: what an SSH link and the terminal pay for).
    // stdout: the alternate screen is drawn from its first row (screen-top.ts).
    {
      stdout: homeAfterAlternateScreen(process.stdout),
      maxFps: 30,
      exitOnCtrlC: true,
      patchConsole: true,
      interactive: true,
      alternateScreen: tui.altScreen,
      incrementalRendering: true,
      ...(frameCount ? { onRender: () => void frames++ } : {}),
    },
  );
  const onSignal = (code: number) => () => {
    app.unmount();
    process.exitCode = code;
  };
  const onTerm = onSignal(0);
  const onHup = onSignal(129);
  // A bug that escapes (an exception in a stream handler, a rejected promise nobody awaited) would
  // have Node print its stack onto the alternate screen, which is thrown away a moment later: give the
  // terminal back first, then say it in one line on the screen the user returns to.
  const onFatal = (error: unknown): void => {
    app.unmount();
    monitor.stop();
    void recorder?.stop();
    process.stderr.write(unexpectedErrorLine(error));
    process.exit(1);
  };
  process.once('SIGTERM', onTerm);
  process.once('SIGHUP', onHup);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  // Fault injection for the terminal tests: an exception thrown outside React after N ms.
  const injected = Number(process.env['TFMON_FAULT_THROW_AFTER_MS'] ?? 0);
  const fault =
    injected > 0
      ? setTimeout(() => {
          throw new Error('injected fault (TFMON_FAULT_THROW_AFTER_MS)');
        }, injected)
      : null;
  await app.waitUntilExit();
  if (fault) clearTimeout(fault);
  process.off('SIGTERM', onTerm);
  process.off('SIGHUP', onHup);
  process.off('uncaughtException', onFatal);
  process.off('unhandledRejection', onFatal);
  gate.stop();
  await recorder?.stop();
  monitor.stop();
  await metrics?.close();
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
