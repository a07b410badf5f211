// The fault suite's counts: each fault injected is recorded with whether tfmon survived it and how
// many pieces of data (lines, nodes) went missing; scripts/faults-summary.mjs prints the totals.
import { appendFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FILE = fileURLToPath(new URL('../../.test-results/faults.jsonl', import.meta.url));

export interface FaultRecord {
  fault: string;
  survived: boolean;
  dataLost: number;
}

export function record(r: FaultRecord): void {
  mkdirSync(fileURLToPath(new URL('../../.test-results/', import.meta.url)), { recursive: true });
  appendFileSync(FILE, `${JSON.stringify(r)}\n`);
}

/** Runs one injected fault: survived when the check passes; the check says how much was lost. */
export async function fault(name: string, run: () => Promise<number | void>): Promise<void> {
  let lost = 0;
  try {
    lost = (await run()) ?? 0;
  } catch (error) {
    record({ fault: name, survived: false, dataLost: lost });
    throw error;
  }
  record({ fault: name, survived: true, dataLost: lost });
}
