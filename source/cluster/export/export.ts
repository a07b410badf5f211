// One format's file from the cluster, and the warning lines that go with it (also in the file's
// opening comment). Pure.
import { toCompose } from './compose.js';
import { toJobSet } from './jobset.js';
import { toPyTorchJob, toTfJob } from './kubeflow.js';
import { type ExportFormat, type Exported, renderYaml } from './output.js';
import type { ExportCluster } from './task.js';
import { toTrainJob } from './trainjob.js';

const WRITERS: Record<ExportFormat, (c: ExportCluster, name: string | null) => Exported> = {
  compose: (c) => toCompose(c),
  tfjob: toTfJob,
  pytorchjob: toPyTorchJob,
  jobset: toJobSet,
  trainjob: toTrainJob,
};

export function exportAs(
  format: ExportFormat,
  cluster: ExportCluster,
  name: string | null,
): { text: string; doc: Record<string, unknown>; warnings: string[] } {
  const exported = WRITERS[format](cluster, name);
  const warnings = [
    ...(cluster.incomplete ? [cluster.incomplete] : []),
    // What each task was told goes out as it is (compose) or is rebuilt (the others): either way, say it.
    ...cluster.configProblems.map((p) => `${p.node ?? 'cluster'}: ${p.code} (${p.message})`),
    ...exported.warnings,
  ];
  const text = renderYaml(format, cluster.source, { ...exported, warnings });
  return { text, doc: exported.doc, warnings };
}
