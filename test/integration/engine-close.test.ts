// An engine keeps idle connections for reuse (many inspects per event burst); close() ends them at
// once, where Node's global agent would hold them another 5 s.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../source/engine/engine.js';
import { requireEngine, waitUntil } from './harness.js';
import { openSockets } from '../helpers/sockets.js';

describe('engine connections', () => {
  it("requests reuse a pool of the engine's own; close() ends it at once", async () => {
    requireEngine();
    const baseline = openSockets();
    const engine = new Engine();
    await Promise.all([engine.hello(), engine.hello(), engine.hello()]);
    const pooled = openSockets() - baseline;
    expect(pooled).toBeGreaterThan(0); // kept alive for the next request
    await engine.hello(); // reuses one: no new connection
    expect(openSockets() - baseline).toBe(pooled);
    engine.close();
    await waitUntil(() => openSockets() <= baseline, 1000, 10);
    expect(openSockets()).toBeLessThanOrEqual(baseline);
    // Still usable: a request after close opens a new connection.
    expect((await engine.hello()).version).toMatch(/^\d+\./);
    engine.close();
  });
});
