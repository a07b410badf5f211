// `tfmon up --from FILE`: the cluster a Compose file describes (as tfmon export compose writes it),
// made as `tfmon up` makes its own: every name checked first, all or nothing, labelled as tfmon's.
import { readFileSync } from 'node:fs';
import { ComposeError, planFromCompose } from '../cluster/compose-read.js';
import { upCluster } from '../engine/actions.js';
import { engineOf, type CommonOptions, type Io } from './context.js';
import { UsageError } from './flags.js';
import { upDone } from './up.js';

export async function runUpFrom(common: CommonOptions, file: string, dryRun: boolean, io: Io): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`);
  }
  let planned: ReturnType<typeof planFromCompose>;
  try {
    planned = planFromCompose(text, common.labels);
  } catch (error) {
    if (error instanceof ComposeError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
  for (const w of planned.warnings) io.err(`tfmon: up --from ${file}: ${w}`);
  const { plan } = planned;
  if (dryRun) {
    io.out(JSON.stringify(plan, null, 2));
    return 0;
  }
  const engine = engineOf(common);
  await engine.hello();
  const result = await upCluster(engine, plan, io.out);
  io.out(upDone(plan.network, result));
  return 0;
}
