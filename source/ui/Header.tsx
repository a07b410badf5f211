import { Box, Text } from 'ink';
import type React from 'react';
import type { Snapshot } from '../cluster/types.js';
import { countsOf, frameworksOf } from '../text/format.js';
import { sanitize } from '../text/sanitize.js';
import { truncate } from '../text/width.js';
import { hostLine } from './summary.js';
import { glyphs, tint, type Theme } from './theme.js';
import { clusterTrainText } from '../text/train-format.js';

interface Props {
  snapshot: Snapshot;
  width: number;
  theme: Theme;
  sort?: string;
  /** How stale the usage figures are, when they are; null while fresh. */
  usageAge?: { seconds: number; none: boolean } | null;
}

export function Header({ snapshot, width, theme, sort = 'role', usageAge = null }: Props): React.JSX.Element {
  const g = glyphs(theme);
  const { roles, states } = countsOf(snapshot.nodes);
  const frameworks = frameworksOf(snapshot.nodes);
  const down = snapshot.engines?.filter((e) => e.error !== null).length ?? 0;
  const engine = snapshot.engines
    ? `${snapshot.engines.length} engines${down ? ` (${down} unreachable)` : ''}${g.sep}${snapshot.engines.map((e) => e.host).join(', ')}`
    : `${snapshot.engine.version ? `Docker ${snapshot.engine.version}${g.sep}` : ''}${snapshot.engine.swarm ? `swarm${g.sep}` : ''}${snapshot.engine.host}`;
  const host = hostLine(snapshot, g, theme.ascii, usageAge);
  const train = clusterTrainText(snapshot.clusterTraining);
  const network = truncate(` ${sanitize(snapshot.network.name)}`, 30, theme.ascii);
  // Root problems are counted; those that follow from them are said as one number.
  const roots = snapshot.problems.filter((p) => !p.causedBy);
  const errors = roots.filter((p) => p.severity === 'error').length;
  const warnings = roots.length - errors;
  const follow = snapshot.problems.length - roots.length;
  const first = roots[0];
  const summary = snapshot.engineError
    ? sanitize(snapshot.engineError)
    : first
      ? `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${follow ? ` (+${follow} following from them)` : ''} ${g.dash} ${first.node ? `${sanitize(first.node)}: ` : ''}${sanitize(first.message)}`
      : snapshot.ready
        ? 'no problems found'
        : `loading${g.ellipsis}`;
  const summaryColor = snapshot.engineError || errors ? 'red' : warnings ? 'yellow' : 'green';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold color={tint(theme, 'cyan')}>
          tfmon
        </Text>
        <Text>{network}</Text>
        <Text color={tint(theme, 'gray')}>
          {truncate(`${g.sep}${engine}`, Math.max(0, width - 6 - network.length), theme.ascii)}
        </Text>
      </Text>
      <Text wrap="truncate">
        {truncate(
          (snapshot.nodes.length
            ? `${frameworks ? `${frameworks}${g.sep}` : ''}${snapshot.nodes.length} nodes: ${roles}${g.sep}${states}`
            : '0 nodes') +
            (train ? `${g.sep}${train}` : '') +
            (sort === 'role' ? '' : `${g.sep}sorted by ${sort}`),
          width - 1,
          theme.ascii,
        )}
      </Text>
      {host === null ? null : (
        <Text wrap="truncate" color={tint(theme, usageAge === null ? 'gray' : 'yellow')}>
          {truncate(host, width - 1, theme.ascii)}
        </Text>
      )}
      <Text wrap="truncate" color={tint(theme, summaryColor)}>
        {truncate(summary, width - 1, theme.ascii)}
      </Text>
    </Box>
  );
}
