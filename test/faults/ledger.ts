// The fault suite's counts: each fault injected is recorded with whether tfmon survived it, how many
// pieces of data (log lines, nodes) the test checked and how many of those were missing;
// scripts/faults-summary.mjs prints the totals. A loss is recorded before the test's own assertion
// fails on it, so it reaches the summary.
import { appendFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FILE = fileURLToPath(new URL('../../.test-results/faults.jsonl', import.meta.url));

export interface FaultRecord {
  fault: string;
  survived: boolean;
  /** Pieces of data the test looked for after the fault (null: it checks none). */
  dataChecked: number | null;
  dataLost: number;
}

/** What a fault's test counts: `checked` pieces looked for, `missing` of them not found. */
export interface DataTally {
  count(checked: number, missing: number): void;
}

export function record(r: FaultRecord): void {
  mkdirSync(fileURLToPath(new URL('../../.test-results/', import.meta.url)), { recursive: true });
  appendFileSync(FILE, `${JSON.stringify(r)}\n`);
}

/** Runs one injected fault: survived when `run` returns; what it counted is recorded either way. */
export async function fault(name: string, run: (data: DataTally) => Promise<void>): Promise<void> {
  let checked: number | null = null;
  let lost = 0;
  const data: DataTally = {
    count(c, m) {
      checked = (checked ?? 0) + c;
      lost += m;
    },
  };
  let survived = false;
  try {
    await run(data);
    survived = true;
  } finally {
    record({ fault: name, survived, dataChecked: checked, dataLost: lost });
  }
}
