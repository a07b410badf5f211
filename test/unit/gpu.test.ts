// GPU parsing against recorded nvidia-smi output, replayed by the fixture executable exactly as
// tfmon calls nvidia-smi (same arguments).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_FIELDS, GPU_FIELDS, gpusByContainer, parseAppsCsv, parseGpuCsv } from '../../source/cluster/gpu.js';

const SMI = fileURLToPath(new URL('../fixtures/nvidia-smi/nvidia-smi', import.meta.url));
const scenario = (name: string): string => fileURLToPath(new URL(`../fixtures/nvidia-smi/${name}`, import.meta.url));
const smi = (name: string, args: string[]): string =>
  execFileSync(SMI, args, { encoding: 'utf8', env: { ...process.env, TFMON_SMI_SCENARIO: scenario(name) } });
const gpus = (name: string) =>
  parseGpuCsv(smi(name, [`--query-gpu=${GPU_FIELDS.join(',')}`, '--format=csv,noheader,nounits']));
const apps = (name: string) =>
  parseAppsCsv(smi(name, [`--query-compute-apps=${APP_FIELDS.join(',')}`, '--format=csv,noheader,nounits']));
const MiB = 1024 * 1024;

describe('nvidia-smi --query-gpu', () => {
  it('reads an idle H200', () => {
    expect(gpus('h200-idle')).toEqual([
      {
        index: 0,
        uuid: 'GPU-00000000-0000-0000-0000-000000000000',
        name: 'NVIDIA H200',
        utilPercent: 0,
        memUsedBytes: 0,
        memTotalBytes: 143771 * MiB,
        temperatureC: 37,
        powerW: 85.12,
      },
    ]);
  });

  it('reads [N/A] utilization of a GPU in MIG mode as unknown, the rest as numbers', () => {
    const [g] = gpus('h200-mig-load');
    expect(g).toMatchObject({ utilPercent: null, memUsedBytes: 16959 * MiB, temperatureC: 36, powerW: 295.01 });
  });

  it('reads [Not Supported] power of a laptop GPU as unknown', () => {
    const [g] = gpus('geforce-930m');
    expect(g).toMatchObject({
      name: 'GeForce 930M',
      utilPercent: 57,
      memUsedBytes: 327 * MiB,
      memTotalBytes: 2002 * MiB,
      temperatureC: 53,
      powerW: null,
    });
  });

  it('reads two GPUs', () => {
    expect(gpus('two-gpus').map((g) => [g.index, g.utilPercent])).toEqual([
      [0, null],
      [1, 0],
    ]);
  });

  it('skips lines that are not GPU rows, keeps names that hold commas', () => {
    const text =
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n" +
      '0, GPU-1, Weird, Name, 5, 10, 100, 30, [N/A]\n';
    expect(parseGpuCsv(text)).toEqual([
      {
        index: 0,
        uuid: 'GPU-1',
        name: 'Weird, Name',
        utilPercent: 5,
        memUsedBytes: 10 * MiB,
        memTotalBytes: 100 * MiB,
        temperatureC: 30,
        powerW: null,
      },
    ]);
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

describe("recorded on this project's lent H200 (scripts/fixtures/record-nvidia-smi.sh)", () => {
  const UUID = 'GPU-90095fd6-7e62-5832-a41a-560181f69a1c';
  const raw = (file: string): string => readFileSync(`${scenario('h200-device-load')}/${file}`, 'utf8');

  it("parses the exact bytes nvidia-smi printed for tfmon's own queries under load", () => {
    expect(parseGpuCsv(raw('gpus.raw'))).toEqual([
      {
        index: 0,
        uuid: UUID,
        name: 'NVIDIA H200',
        utilPercent: 94,
        memUsedBytes: 26205 * MiB,
        memTotalBytes: 143771 * MiB,
        temperatureC: 53,
        powerW: 692.76,
      },
    ]);
    expect(parseAppsCsv(raw('apps.raw'))).toEqual([
      { pid: 528, usedBytes: 4744 * MiB, gpuUuid: UUID },
      { pid: 527, usedBytes: 21446 * MiB, gpuUuid: UUID },
    ]);
  });

  it('the replaying stand-in prints what the real nvidia-smi printed for the same arguments', () => {
    // Same moment for the processes; the GPU row was read twice, 0.1 s apart, so power differs.
    expect(
      smi('h200-device-load', [`--query-compute-apps=${APP_FIELDS.join(',')}`, '--format=csv,noheader,nounits']),
    ).toBe(raw('apps.raw'));
    const cells = (t: string) => t.trim().split(', ').slice(0, 7);
    expect(
      cells(smi('h200-device-load', [`--query-gpu=${GPU_FIELDS.join(',')}`, '--format=csv,noheader,nounits'])),
    ).toEqual(cells(raw('gpus.raw')));
  });

  it('an idle GPU with no processes, and the two processes of a loaded one joined to their containers', () => {
    expect(gpus('h200-device-idle')).toMatchObject([{ utilPercent: 0, memUsedBytes: 0, powerW: 80.6 }]);
    expect(apps('h200-device-idle')).toEqual([]);
    const byContainer = gpusByContainer(
      gpus('h200-device-load'),
      apps('h200-device-load'),
      new Map([
        [527, 'worker'],
        [528, 'ps'],
      ]),
    );
    expect(byContainer['worker']).toEqual([
      { index: 0, uuid: UUID, utilPercent: 94, memUsedBytes: 21446 * MiB, memTotalBytes: 143771 * MiB },
    ]);
    expect(byContainer['ps']?.[0]?.memUsedBytes).toBe(4744 * MiB);
  });
});

describe('GPUs per container', () => {
  it('maps host PIDs to two containers, joining on UUID, summing each container’s memory', () => {
    const owners = new Map([
      [12249, 'trainer-a'],
      [12250, 'trainer-a'],
      [12267, 'trainer-b'],
    ]);
    const by = gpusByContainer(gpus('two-gpus'), apps('two-gpus'), owners);
    expect(by['trainer-a']).toEqual([
      {
        index: 0,
        uuid: 'GPU-00000000-0000-0000-0000-000000000000',
        utilPercent: null,
        memUsedBytes: (2194 + 1170) * MiB,
        memTotalBytes: 143771 * MiB,
      },
    ]);
    expect(by['trainer-b']?.[0]?.memUsedBytes).toBe(13526 * MiB);
    expect(Object.keys(by).sort()).toEqual(['trainer-a', 'trainer-b']);
  });

  it('ignores processes of no container (host processes) and of unknown GPUs', () => {
    const by = gpusByContainer(gpus('h200-idle'), apps('h200-mig-load'), new Map([[1, 'x']]));
    expect(by).toEqual({});
  });
});
