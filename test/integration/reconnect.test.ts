// The events stream survives an engine hiccup: a unix-socket proxy in front of the real engine is cut
// and restored; the monitor says the engine is unreachable, then reopens and resyncs what it missed.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../source/engine/engine.js';
import { ClusterMonitor } from '../../source/monitor/cluster-monitor.js';
import { SocketProxy } from '../helpers/socket-proxy.js';
import { cleanup, createNetwork, own, requireEngine, runSim, simImage, testLabels } from './harness.js';

const net = own('rc');
const proxy = new SocketProxy(`/tmp/${own('proxy')}.sock`);
let image = '';
let monitor: ClusterMonitor | null = null;

beforeAll(async () => {
  requireEngine();
  image = await simImage();
  createNetwork(net);
  await proxy.listen();
});
afterAll(async () => {
  monitor?.stop();
  await proxy.cut();
  rmSync(proxy.path, { force: true });
  cleanup();
});

describe('engine hiccup', () => {
  it('shows the engine as unreachable, then reopens the stream and resyncs', async () => {
    runSim(image, own('rc-ps-0'), net);
    monitor = new ClusterMonitor(new Engine(`unix://${proxy.path}`), { network: net, labels: testLabels });
    await monitor.start();
    expect(monitor.getSnapshot().nodes.map((n) => n.name)).toEqual([own('rc-ps-0')]);

    await proxy.cut();
    const down = await monitor.waitFor((s) => s.engineError !== null, 3000);
    expect(down.engineError).toMatch(/^engine unreachable — retrying/);
    expect(down.nodes).toHaveLength(1); // the last view stays on screen

    // Changed while tfmon could not see: only a resync can find it.
    runSim(image, own('rc-worker-0'), net);
    await proxy.listen();
    const back = await monitor.waitFor((s) => s.engineError === null && s.nodes.length === 2, 8000);
    expect(back.nodes.map((n) => n.name)).toEqual([own('rc-ps-0'), own('rc-worker-0')]);

    // And the reopened stream delivers new events again.
    runSim(image, own('rc-worker-1'), net);
    await monitor.waitFor((s) => s.nodes.length === 3, 2000);
  });
});
