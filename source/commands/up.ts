// `tfmon up`: the seed's manual setup (network + ps + workers, each with its TF_CONFIG) as one command;
// with --framework pytorch, a real DDP job of --workers ranks.
import { planUp, type UpOptions } from '../cluster/up-plan.js';
import { upCluster, upSwarm } from '../engine/actions.js';
import { ensureSimImage, SIM_REPO } from '../engine/sim-image.js';
import { ensureTorchImage } from '../engine/torch-image.js';
import { engineOf, type CommonOptions, type Io } from './context.js';

export type UpFlags = Omit<UpOptions, 'image' | 'simImage' | 'network' | 'labels'> & {
  image: string | null;
  dryRun: boolean;
  /** One swarm service per task on an attachable overlay network, placed by `constraints`. */
  swarm?: boolean;
  constraints?: string[];
};

export async function runUp(common: CommonOptions, flags: UpFlags, io: Io): Promise<number> {
  const engine = engineOf(common);
  const pytorch = flags.framework === 'pytorch';
  const simImage = !pytorch && (flags.image === null || flags.image.startsWith(`${SIM_REPO}:`));
  let image = flags.image ?? (pytorch ? 'tfmon-torch:<built on demand>' : `${SIM_REPO}:<built on demand>`);
  if (!flags.dryRun) {
    await engine.hello();
    if (flags.image === null && pytorch) {
      image = await ensureTorchImage(engine.host);
    } else if (flags.image === null) {
      const sim = await ensureSimImage(engine);
      image = sim.ref;
      if (sim.built) io.out(`built image ${image}`);
    }
  }
  const plan = planUp({ ...flags, image, simImage, network: common.network, labels: common.labels });
  if (flags.dryRun) {
    io.out(JSON.stringify(plan, null, 2));
    return 0;
  }
  const result = flags.swarm
    ? await upSwarm(engine, plan, flags.constraints ?? [], io.out)
    : await upCluster(engine, plan, io.out);
  io.out(upDone(common.network, result));
  return 0;
}

/** The line `tfmon up` ends with (up --from too). */
export const upDone = (network: string, result: { created: readonly string[]; existing: readonly string[] }): string =>
  `cluster ${network} is up: ${result.created.length} started, ${result.existing.length} already there. ` +
  `Watch it with: tfmon --network ${network}`;
