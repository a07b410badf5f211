// `tfmon down`: removes this cluster's containers (by label only) and the network if tfmon made it.
import { LABEL_CLUSTER } from '../cluster/role.js';
import { downCluster } from '../engine/actions.js';
import { confirm } from './confirm.js';
import { engineOf, type CommonOptions, type Io } from './context.js';
import { UsageError } from './flags.js';

export async function runDown(common: CommonOptions, yes: boolean, io: Io): Promise<number> {
  const engine = engineOf(common);
  await engine.hello();
  if (!yes) {
    if (!process.stdin.isTTY) {
      throw new UsageError('tfmon down removes containers: pass --yes to confirm (stdin is not a terminal)');
    }
    const ids = await engine.containerIdsWithLabels({ ...common.labels, [LABEL_CLUSTER]: common.network });
    const ok = await confirm(
      `Remove the ${ids.length} containers labelled ${LABEL_CLUSTER}=${common.network} (and the network if tfmon created it)? [y/N] `,
    );
    if (!ok) {
      io.err('nothing removed');
      return 1;
    }
  }
  const result = await downCluster(engine, common.network, common.labels, io.out);
  if (result.removed === 0 && !result.networkRemoved) io.out(`nothing to remove for cluster ${common.network}`);
  return 0;
}
