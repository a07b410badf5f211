// Starts the monitor, then the Ink screen. Errors before the screen opens are one line on stderr.
import { render } from 'ink';
import React from 'react';
import type { CommonOptions } from '../commands/context.js';
import { Engine } from '../engine/engine.js';
import { ClusterMonitor } from '../monitor/store.js';
import { App } from './App.js';
import { asciiOnly, colorEnabled, supportsHyperlinks } from '../text/locale.js';
import { DEFAULT_LOG_OPTIONS } from '../monitor/log-follower.js';

export async function runTui(options: CommonOptions): Promise<number> {
  const { usage, probe, ...rest } = options;
  const monitor = new ClusterMonitor(new Engine(options.host), { ...rest, ...(usage ? { usage } : {}), ...(probe ? { probe } : {}) });
  await monitor.start();
  const theme = { color: colorEnabled(), ascii: asciiOnly() };
  const app = render(
    <App
      store={monitor}
      logs={monitor.logs}
      logCapacity={options.logs?.capacity ?? DEFAULT_LOG_OPTIONS.capacity}
      theme={theme}
      hyperlinks={supportsHyperlinks()}
      actions={{ probe: () => void monitor.probeNow() }}
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
