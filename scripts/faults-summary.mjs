// Prints the fault suite's totals from .test-results/faults.jsonl (written by test/faults/ledger.ts).
import { existsSync, readFileSync } from 'node:fs';

const file = new URL('../.test-results/faults.jsonl', import.meta.url);
const rows = existsSync(file)
  ? readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];
const survived = rows.filter((r) => r.survived).length;
const counted = rows.filter((r) => r.dataChecked !== null && r.dataChecked !== undefined);
const checked = counted.reduce((a, r) => a + r.dataChecked, 0);
const lost = rows.reduce((a, r) => a + (r.dataLost || 0), 0);
console.log(
  `faults: ${rows.length} injected, ${survived} survived; ${counted.length} of them checked ${checked} pieces of data, ${lost} lost`,
);
for (const r of rows.filter((x) => !x.survived || x.dataLost))
  console.log(
    `  ${r.survived ? 'lost data' : 'NOT survived'}: ${r.fault}${r.dataLost ? ` (${r.dataLost} of ${r.dataChecked} lost)` : ''}`,
  );
process.exitCode = rows.length > 0 && survived === rows.length && lost === 0 ? 0 : 1;
