// `c`: what regenerating TF_CONFIG from the live topology would change, node by node.
import { Box, Text } from 'ink';
import React from 'react';
import { tfConfigPlan } from '../cluster/regenerate.js';
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
  const result = tfConfigPlan(nodes);
  const lines: { text: string; color?: string }[] = [];
  if (!result.ok) {
    lines.push({ text: `cannot regenerate: ${result.error}`, color: 'red' });
  } else {
    const spec = Object.entries(result.spec).map(([job, a]) => `${job}: ${a.join(', ')}`).join('  ');
    lines.push({ text: `live topology  ${spec}` });
    const changed = result.plans.filter((p) => p.diff.length);
    for (const p of result.plans) {
      lines.push(p.diff.length
        ? { text: `${p.node.name}  ${p.diff.join('; ')}`, color: 'yellow' }
        : { text: `${p.node.name}  up to date`, color: 'green' });
    }
    const apply = readOnly ? 'a apply: refused (--read-only)' : changed.length ? `a apply: recreate ${changed.length} node${changed.length === 1 ? '' : 's'}, one at a time` : 'nothing to apply';
    const write = dir ? `w write ${dir}/<node>.json` : 'w write: start tfmon with --tf-config-dir DIR';
    const others = nodes.filter(isJobRank);
    if (others.length) lines.push({ text: `${others.length} ${others[0]!.framework} rank${others.length === 1 ? '' : 's'}: not TensorFlow tasks, left as they are (their job is set by RANK, WORLD_SIZE and MASTER_*)`, color: 'gray' });
    lines.push({ text: `${apply}${g.sep}${write}${g.sep}Esc close`, color: 'cyan' });
  }
  const title = ' TF_CONFIG from the live topology ';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate" color={tint(theme, 'cyan')}>
        {truncate(`${g.rule.repeat(2)}${title}${g.rule.repeat(Math.max(0, width - title.length - 3))}`, width - 1, theme.ascii)}
      </Text>
      {lines.slice(0, Math.max(1, rows - 1)).map((l, i) => (
        <Text key={i} wrap="truncate" color={l.color ? tint(theme, l.color) : undefined}>
          {truncate(sanitize(l.text), width - 1, theme.ascii)}
        </Text>
      ))}
    </Box>
  );
}
