// nvidia-smi CSV → GPU figures, and per-container GPU use. Pure: nvidia-smi runs in the engine layer.
// nvidia-smi says "[N/A]", "N/A", "[Not Supported]" (and other bracketed words) for what it cannot
// report; MIG mode reports utilization as [N/A]. Rows are joined on UUID: indexes are renumbered
// inside containers.

export const GPU_FIELDS = [
  'index',
  'uuid',
  'name',
  'utilization.gpu',
  'memory.used',
  'memory.total',
  'temperature.gpu',
  'power.draw',
] as const;
export const APP_FIELDS = ['pid', 'used_memory', 'gpu_uuid'] as const;

export interface GpuStat {
  index: number;
  uuid: string;
  name: string;
  utilPercent: number | null;
  memUsedBytes: number | null;
  memTotalBytes: number | null;
  temperatureC: number | null;
  powerW: number | null;
}

export interface GpuApp {
  pid: number;
  usedBytes: number | null;
  gpuUuid: string;
}

/** One GPU as a container uses it: the GPU's own utilization, the container's share of its memory. */
export interface ContainerGpu {
  index: number;
  uuid: string;
  utilPercent: number | null;
  memUsedBytes: number | null;
  memTotalBytes: number | null;
}

const MiB = 1024 * 1024;

/** A cell as a number, with or without its unit; null for N/A, [Not Supported] and the like. */
function number(cell: string | undefined): number | null {
  if (cell === undefined) return null;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(?:MiB|W|%|C|MHz)?\s*$/.exec(cell);
  return m && m[1] !== undefined ? Number(m[1]) : null;
}

const mib = (cell: string | undefined): number | null => {
  const n = number(cell);
  return n === null ? null : n * MiB;
};

/** CSV rows of nvidia-smi (noheader; units or not). A GPU name may itself hold commas: the fields
 * around it are fixed, so the name is what is left in the middle. */
function rows(text: string, fields: number, nameAt: number | null): string[][] {
  const out: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    let cells = line.split(',').map((c) => c.trim());
    if (nameAt !== null && cells.length > fields) {
      const extra = cells.length - fields;
      cells = [
        ...cells.slice(0, nameAt),
        cells.slice(nameAt, nameAt + extra + 1).join(', '),
        ...cells.slice(nameAt + extra + 1),
      ];
    }
    if (cells.length === fields) out.push(cells);
  }
  return out;
}

/** Output of `--query-gpu=<GPU_FIELDS> --format=csv,noheader,nounits`. Lines that are not GPU rows
 * (errors, warnings) are skipped. */
export function parseGpuCsv(text: string): GpuStat[] {
  const out: GpuStat[] = [];
  for (const c of rows(text, GPU_FIELDS.length, 2)) {
    const index = number(c[0]);
    const uuid = c[1] ?? '';
    if (index === null || (!uuid.startsWith('GPU-') && !uuid.startsWith('MIG-'))) continue;
    out.push({
      index,
      uuid,
      name: c[2] ?? '',
      utilPercent: number(c[3]),
      memUsedBytes: mib(c[4]),
      memTotalBytes: mib(c[5]),
      temperatureC: number(c[6]),
      powerW: number(c[7]),
    });
  }
  return out;
}

/** Output of `--query-compute-apps=<APP_FIELDS> --format=csv,noheader,nounits`; no processes is an
 * empty output (older drivers print "No running processes found"). */
export function parseAppsCsv(text: string): GpuApp[] {
  const out: GpuApp[] = [];
  for (const c of rows(text, APP_FIELDS.length, null)) {
    const pid = number(c[0]);
    if (pid === null || !c[2]) continue;
    out.push({ pid, usedBytes: mib(c[1]), gpuUuid: c[2] });
  }
  return out;
}

/** Per container: each GPU its processes use, with the memory those processes hold. */
export function gpusByContainer(
  gpus: readonly GpuStat[],
  apps: readonly GpuApp[],
  containerOfPid: ReadonlyMap<number, string>,
): Record<string, ContainerGpu[]> {
  const byUuid = new Map(gpus.map((g) => [g.uuid, g]));
  const out: Record<string, Map<string, ContainerGpu>> = {};
  for (const app of apps) {
    const id = containerOfPid.get(app.pid);
    const gpu = byUuid.get(app.gpuUuid);
    if (!id || !gpu) continue;
    const mine = (out[id] ??= new Map());
    const entry = mine.get(gpu.uuid) ?? {
      index: gpu.index,
      uuid: gpu.uuid,
      utilPercent: gpu.utilPercent,
      memUsedBytes: null,
      memTotalBytes: gpu.memTotalBytes,
    };
    if (app.usedBytes !== null) entry.memUsedBytes = (entry.memUsedBytes ?? 0) + app.usedBytes;
    mine.set(gpu.uuid, entry);
  }
  return Object.fromEntries(
    Object.entries(out).map(([id, m]) => [id, [...m.values()].sort((a, b) => a.index - b.index)]),
  );
}
