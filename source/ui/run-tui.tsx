// Starts the monitor, then the Ink screen. Errors before the screen opens are one line on stderr.
import { render } from 'ink';
import React from 'react';
import { engineOf, type CommonOptions } from '../commands/context.js';
import type { Engine } from '../engine/engine.js';
import { ClusterMonitor } from '../monitor/store.js';
import { App, type ClusterActions } from './App.js';
import { applyTfConfig, restartNodes, scaleDown, scaleUp, writeTfConfigFiles } from '../engine/cluster-actions.js';
import { tfConfigPlan } from '../cluster/regenerate.js';
import { asciiOnly, colorEnabled, supportsHyperlinks } from '../text/locale.js';
import { DEFAULT_LOG_OPTIONS } from '../monitor/log-follower.js';

/** The keys' actions, on the engine the monitor watches, always on the monitor's current nodes. */
export function clusterActions(engine: Engine, monitor: ClusterMonitor, options: Pick<CommonOptions, 'readOnly' | 'tfConfigDir'>): ClusterActions {
  const nodes = () => monitor.getSnapshot().nodes;
  const network = () => monitor.getSnapshot().network.name;
  const plans = () => {
    const plan = tfConfigPlan(nodes());
    if (!plan.ok) throw new Error(`cannot regenerate TF_CONFIG: ${plan.error}`);
    return plan.plans;
  };
  return {
    probe: () => void monitor.probeNow(),
    readOnly: options.readOnly ?? false,
    tfConfigDir: options.tfConfigDir ?? null,
    scaleUp: async (progress) => {
      await scaleUp(engine, nodes(), network(), progress);
    },
    scaleDown: (id, progress) => scaleDown(engine, nodes(), id, progress),
    restart: (ids, progress) => restartNodes(engine, nodes(), ids, progress),
    applyTfConfig: async (progress) => {
      await applyTfConfig(engine, nodes(), plans(), network(), progress);
    },
    writeTfConfig: () => writeTfConfigFiles(options.tfConfigDir ?? '.', plans()),
  };
}

export async function runTui(options: CommonOptions): Promise<number> {
  const { usage, probe, ...rest } = options;
  const engine = engineOf(options);
  const monitor = new ClusterMonitor(engine, { ...rest, ...(usage ? { usage } : {}), ...(probe ? { probe } : {}) });
  await monitor.start();
  const actions = clusterActions(engine, monitor, options);
  const theme = { color: colorEnabled(), ascii: asciiOnly() };
  const app = render(
    <App
      store={monitor}
      logs={monitor.logs}
      logCapacity={options.logs?.capacity ?? DEFAULT_LOG_OPTIONS.capacity}
      theme={theme}
      hyperlinks={supportsHyperlinks()}
      actions={actions}
    />,
    // Updates come at most 10 times a second (logs) or once (usage); 30 here is for keys: a key
    // press is drawn within 33 ms instead of waiting for the next of 10 slots.
    { maxFps: 30, exitOnCtrlC: true, patchConsole: true },
  );
  const onSignal = (code: number) => () => {
    app.unmount();
    process.exitCode = code;
  };
  const onTerm = onSignal(0);
  const onHup = onSignal(129);
  process.once('SIGTERM', onTerm);
  process.once('SIGHUP', onHup);
  await app.waitUntilExit();
  process.off('SIGTERM', onTerm);
  process.off('SIGHUP', onHup);
  monitor.stop();
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
