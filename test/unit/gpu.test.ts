// GPU parsing against recorded nvidia-smi output, replayed by the fixture executable exactly as
// tfmon calls nvidia-smi (same arguments).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_FIELDS, GPU_FIELDS, gpusByContainer, parseAppsCsv, parseGpuCsv } from '../../source/cluster/gpu.js';

const SMI = fileURLToPath(new URL('../fixtures/nvidia-smi/nvidia-smi', import.meta.url));
const scenario = (name: string): string => fileURLToPath(new URL(`../fixtures/nvidia-smi/${name}`, import.meta.url));
const smi = (name: string, args: string[]): string =>
  execFileSync(SMI, args, { encoding: 'utf8', env: { ...process.env, TFMON_SMI_SCENARIO: scenario(name) } });
const gpus = (name: string) => parseGpuCsv(smi(name, [`--query-gpu=${GPU_FIELDS.join(',')}`, '--format=csv,noheader,nounits']));
const apps = (name: string) => parseAppsCsv(smi(name, [`--query-compute-apps=${APP_FIELDS.join(',')}`, '--format=csv,noheader,nounits']));
const MiB = 1024 * 1024;

describe('nvidia-smi --query-gpu', () => {
  it('reads an idle H200', () => {
    expect(gpus('h200-idle')).toEqual([{
      index: 0, uuid: 'GPU-00000000-0000-0000-0000-000000000000', name: 'NVIDIA H200', utilPercent: 0,
      memUsedBytes: 0, memTotalBytes: 143771 * MiB, temperatureC: 37, powerW: 85.12,
    }]);
  });

  it('reads [N/A] utilization of a GPU in MIG mode as unknown, the rest as numbers', () => {
    const [g] = gpus('h200-mig-load');
    expect(g).toMatchObject({ utilPercent: null, memUsedBytes: 16959 * MiB, temperatureC: 36, powerW: 295.01 });
  });

  it('reads [Not Supported] power of a laptop GPU as unknown', () => {
    const [g] = gpus('geforce-930m');
    expect(g).toMatchObject({ name: 'GeForce 930M', utilPercent: 57, memUsedBytes: 327 * MiB, memTotalBytes: 2002 * MiB, temperatureC: 53, powerW: null });
  });

  it('reads two GPUs', () => {
    expect(gpus('two-gpus').map((g) => [g.index, g.utilPercent])).toEqual([[0, null], [1, 0]]);
  });

  it('skips lines that are not GPU rows, keeps names that hold commas', () => {
    const text = 'NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.\n' +
      '0, GPU-1, Weird, Name, 5, 10, 100, 30, [N/A]\n';
    expect(parseGpuCsv(text)).toEqual([{ index: 0, uuid: 'GPU-1', name: 'Weird, Name', utilPercent: 5, memUsedBytes: 10 * MiB, memTotalBytes: 100 * MiB, temperatureC: 30, powerW: null }]);
  });
});

describe('nvidia-smi --query-compute-apps', () => {
  it('reads the processes of a loaded GPU', () => {
    expect(apps('h200-mig-load')).toEqual([
      { pid: 12249, usedBytes: 2194 * MiB, gpuUuid: 'GPU-00000000-0000-0000-0000-000000000000' },
      { pid: 12250, usedBytes: 1170 * MiB, gpuUuid: 'GPU-00000000-0000-0000-0000-000000000000' },
      { pid: 12267, usedBytes: 13526 * MiB, gpuUuid: 'GPU-00000000-0000-0000-0000-000000000000' },
    ]);
  });

  it('reads no processes as an empty list (and the old drivers’ sentence too)', () => {
    expect(apps('h200-idle')).toEqual([]);
    expect(parseAppsCsv('No running processes found\n')).toEqual([]);
  });
});

describe('GPUs per container', () => {
  it('maps host PIDs to two containers, joining on UUID, summing each container’s memory', () => {
    const owners = new Map([[12249, 'trainer-a'], [12250, 'trainer-a'], [12267, 'trainer-b']]);
    const by = gpusByContainer(gpus('two-gpus'), apps('two-gpus'), owners);
    expect(by['trainer-a']).toEqual([{ index: 0, uuid: 'GPU-00000000-0000-0000-0000-000000000000', utilPercent: null, memUsedBytes: (2194 + 1170) * MiB, memTotalBytes: 143771 * MiB }]);
    expect(by['trainer-b']?.[0]?.memUsedBytes).toBe(13526 * MiB);
    expect(Object.keys(by).sort()).toEqual(['trainer-a', 'trainer-b']);
  });

  it('ignores processes of no container (host processes) and of unknown GPUs', () => {
    const by = gpusByContainer(gpus('h200-idle'), apps('h200-mig-load'), new Map([[1, 'x']]));
    expect(by).toEqual({});
  });
});
