// What the docs name exists: every problem code in the contract's table (and every code tfmon
// raises is in it), every flag shown on a `tfmon …` command line, every metric in metrics.md, and
// every field of the contract's example document. A renamed or removed thing fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLAGS } from '../../source/cli/flag-table.js';
import { explain } from '../../source/cluster/causes.js';
import { KNOWN_CODES } from '../../source/cluster/fixes.js';
import { statusJson } from '../../source/cluster/status-json.js';
import { metricFamilies } from '../../source/metrics/families.js';
import { seedFacts, snapshotOf } from '../helpers/snapshot.js';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const docs = [
  'README.md',
  ...readdirSync(new URL('../../docs/', import.meta.url))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('the docs name what exists', () => {
  it('status-json.md lists every problem code tfmon raises, and no other', () => {
    const table = [...read('docs/status-json.md').matchAll(/^\| `([a-z_]+)`(?:, `([a-z_]+)`)? \|/gm)].flatMap((m) =>
      [m[1]!, m[2]].filter((c): c is string => !!c),
    );
    expect([...table].sort()).toEqual([...KNOWN_CODES].sort());
  });

  it('every flag on a `tfmon …` command line in the README and docs/ is one tfmon has', () => {
    const longNames = new Set(Object.keys(FLAGS).map((k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)));
    longNames.add('help').add('version');
    // A boolean flag is also said negated: --no-usage.
    for (const [k, spec] of Object.entries(FLAGS))
      if (spec.type === 'boolean') longNames.add(`no-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    const unknown: string[] = [];
    let seen = 0;
    for (const path of docs) {
      const text = read(path);
      // Inline code and code-block lines that run tfmon (npm run tfmon -- … included).
      const commands = [
        ...text.matchAll(/`(?:npm run (?:tfmon|demo) -- |tfmon )([^`]*)`/g),
        ...text.matchAll(/^(?:\$ )?(?:npm run (?:tfmon|demo) -- |tfmon )(.*)$/gm),
      ].map((m) => m[1]!);
      seen += commands.length;
      for (const c of commands)
        for (const f of c.matchAll(/(?:^|\s)--([a-z][a-z-]*)/g))
          if (!longNames.has(f[1]!)) unknown.push(`${path}: --${f[1]} in "${c}"`);
    }
    expect(seen).toBeGreaterThan(30);
    expect(unknown).toEqual([]);
  });

  it('every metric metrics.md names is one tfmon exports', () => {
    const exported = new Set(metricFamilies(snapshotOf(seedFacts())).map((f) => f.name));
    const named = [...read('docs/metrics.md').matchAll(/`((?:container|tfmon|DCGM)_[A-Za-z_]+)`/g)].map((m) => m[1]!);
    // `tfmon_training_step`, `_loss`, …: the short forms continue the row's first name.
    const short = [...read('docs/metrics.md').matchAll(/`tfmon_training_step`((?:, `_[a-z_]+`)+)/g)].flatMap((m) =>
      [...m[1]!.matchAll(/`_([a-z_]+)`/g)].map((x) => `tfmon_training_${x[1]}`),
    );
    expect(named.length).toBeGreaterThan(20);
    expect([...named, ...short].filter((n) => !exported.has(n))).toEqual([]);
  });

  it("every field of the contract's example document is one status --json writes", () => {
    const example = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(read('docs/status-json.md'))![1]!) as Record<
      string,
      unknown
    >;
    const written = statusJson({
      ...snapshotOf(seedFacts()),
      host: { cpuPercent: 1, memUsedBytes: 1, memTotalBytes: 2, load: [0, 0, 0] },
    }) as Record<string, unknown>;
    const keysOf = (o: unknown): string[] => (o && typeof o === 'object' && !Array.isArray(o) ? Object.keys(o) : []);
    const first = (o: unknown, k: string): unknown => (o as Record<string, unknown[]>)[k]?.[0];
    expect(keysOf(example).filter((k) => !(k in written))).toEqual([]);
    expect(keysOf(example['host']).filter((k) => !keysOf(written['host']).includes(k))).toEqual([]);
    expect(keysOf(first(example, 'nodes')).filter((k) => !keysOf(first(written, 'nodes')).includes(k))).toEqual([]);
    // A network with no containers raises no_nodes: a problem as the monitor writes it (explained).
    const empty = snapshotOf([]);
    const problem = first(statusJson({ ...empty, problems: explain(empty.problems, []) }), 'problems');
    expect(keysOf(problem)).toContain('code');
    expect(keysOf(first(example, 'problems')).filter((k) => !keysOf(problem).includes(k))).toEqual([]);
  });
});
