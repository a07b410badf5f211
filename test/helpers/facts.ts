// ContainerFacts built from a recorded inspect of a sim worker, with overrides.
import { readFileSync } from 'node:fs';
import type { ContainerFacts } from '../../source/cluster/types.js';
import { factsFromInspect } from '../../source/engine/containers.js';

export const recordedInspect: unknown = JSON.parse(
  readFileSync(new URL('../fixtures/inspect-sim-worker.json', import.meta.url), 'utf8'),
);

export function facts(over: Partial<ContainerFacts> = {}): ContainerFacts {
  return { ...factsFromInspect(recordedInspect, { name: 'tf-network', id: null }), ...over };
}
