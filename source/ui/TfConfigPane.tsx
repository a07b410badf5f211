// `c`: what regenerating TF_CONFIG from the live topology would change, node by node — or, on a
// network of PyTorch env:// ranks, the job's WORLD_SIZE and MASTER_* as its live ranks call for.
import { Box, Text } from 'ink';
import type React from 'react';
import { regeneratesJob } from '../cluster/frameworks/registry.js';
import { jobVariablesPlan, tfConfigPlan } from '../cluster/regenerate.js';
import { isJobRank } from '../cluster/frameworks/placement.js';
import type { NodeView } from '../cluster/types.js';
import { sanitize } from '../text/sanitize.js';
import { truncate } from '../text/width.js';
import { glyphs, tint, type Theme } from './theme.js';

interface Props {
  nodes: readonly NodeView[];
  rows: number;
  width: number;
  theme: Theme;
  readOnly: boolean;
  /** Where `w` writes (--tf-config-dir), or null. */
  dir: string | null;
}

export function TfConfigPane({ nodes, rows, width, theme, readOnly, dir }: Props): React.JSX.Element {
  const g = glyphs(theme);
  const job = regeneratesJob(nodes);
  const lines = job ? jobLines(nodes, readOnly, g.sep) : tfConfigLines(nodes, readOnly, dir, g.sep);
  const title = job ? " the job's variables from its live ranks " : ' TF_CONFIG from the live topology ';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate" color={tint(theme, 'cyan')}>
        {truncate(
          `${g.rule.repeat(2)}${title}${g.rule.repeat(Math.max(0, width - title.length - 3))}`,
          width - 1,
          theme.ascii,
        )}
      </Text>
      {lines.slice(0, Math.max(1, rows - 1)).map((l, i) => (
        <Text key={i} wrap="truncate" color={l.color ? tint(theme, l.color) : undefined}>
          {truncate(sanitize(l.text), width - 1, theme.ascii)}
        </Text>
      ))}
    </Box>
  );
}

type Line = { text: string; color?: string };

function jobLines(nodes: readonly NodeView[], readOnly: boolean, sep: string): Line[] {
  const plan = jobVariablesPlan(nodes);
  if (!plan) return [];
  if (!plan.ok) return [{ text: `cannot regenerate: ${plan.error}`, color: 'red' }];
  const first = plan.plans[0]!.env;
  const lines: Line[] = [
    {
      text: `live ranks  WORLD_SIZE=${first.WORLD_SIZE}  MASTER_ADDR=${first.MASTER_ADDR}  MASTER_PORT=${first.MASTER_PORT}  (rank 0 is the master)`,
    },
  ];
  for (const p of plan.plans) {
    lines.push(
      p.diff.length
        ? { text: `${p.node.name}  ${p.diff.join('; ')}`, color: 'yellow' }
        : { text: `${p.node.name}  up to date`, color: 'green' },
    );
  }
  const changed = plan.plans.some((p) => p.diff.length);
  const apply = readOnly
    ? 'a apply: refused (--read-only)'
    : changed
      ? `a apply: a static DDP job restarts whole: recreate its ${plan.plans.length} ranks, one at a time`
      : 'nothing to apply';
  lines.push({ text: `${apply}${sep}Esc close`, color: 'cyan' });
  return lines;
}

function tfConfigLines(nodes: readonly NodeView[], readOnly: boolean, dir: string | null, sep: string): Line[] {
  const result = tfConfigPlan(nodes);
  const lines: Line[] = [];
  if (!result.ok) {
    lines.push({ text: `cannot regenerate: ${result.error}`, color: 'red' });
  } else {
    const spec = Object.entries(result.spec)
      .map(([job, a]) => `${job}: ${a.join(', ')}`)
      .join('  ');
    lines.push({ text: `live topology  ${spec}` });
    const changed = result.plans.filter((p) => p.diff.length);
    for (const p of result.plans) {
      lines.push(
        p.diff.length
          ? { text: `${p.node.name}  ${p.diff.join('; ')}`, color: 'yellow' }
          : { text: `${p.node.name}  up to date`, color: 'green' },
      );
    }
    const apply = readOnly
      ? 'a apply: refused (--read-only)'
      : changed.length
        ? `a apply: recreate ${changed.length} node${changed.length === 1 ? '' : 's'}, one at a time`
        : 'nothing to apply';
    const write = dir ? `w write ${dir}/<node>.json` : 'w write: start tfmon with --tf-config-dir DIR';
    const others = nodes.filter(isJobRank);
    if (others.length)
      lines.push({
        text: `${others.length} ${others[0]!.framework} rank${others.length === 1 ? '' : 's'}: not TensorFlow tasks, left as they are (their job is set by RANK, WORLD_SIZE and MASTER_*)`,
        color: 'gray',
      });
    lines.push({ text: `${apply}${sep}${write}${sep}Esc close`, color: 'cyan' });
  }
  return lines;
}
