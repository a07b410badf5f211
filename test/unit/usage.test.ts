import { statValue } from '../../source/engine/cgroup-reader.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  containerIdFromCgroup,
  countersFromStats,
  cpuPercent,
  memoryUsed,
  parseBlkioV1,
  parseIoStatV2,
  parseKeyValues,
  parseNetDev,
  parseNumber,
  parseProcStat,
  usageOf,
  usageOfSample,
  type Counters,
} from '../../source/cluster/usage.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const ndjson = (name: string): unknown[] =>
  fixture(name)
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);
const MiB = 1024 * 1024;

describe('stats API samples (cgroup v1, recorded here)', () => {
  const [first, second] = ndjson('stats-v1-burn.ndjson');

  it('computes CPU like the docker CLI: a burning sim node limited to 1.5 CPUs shows about one core', () => {
    const u = usageOfSample(second);
    expect(u?.cpuPercent).toBeGreaterThan(80);
    expect(u?.cpuPercent).toBeLessThan(150);
  });

  it('gives the same CPU % from two consecutive samples as from one sample’s precpu_stats', () => {
    const a = countersFromStats(first, 0)!;
    const b = countersFromStats(second, 1000)!;
    expect(cpuPercent(a, b)).toBeCloseTo(usageOfSample(second)!.cpuPercent!, 6);
  });

  it('subtracts total_inactive_file from memory and reads the --memory limit and pids', () => {
    const u = usageOfSample(second)!;
    // The recorded sample: usage 68,505,600, total_inactive_file 4,096, limit 256 MiB, 5 pids.
    expect(u.memBytes).toBe(68_505_600 - 4096);
    expect(u.memLimitBytes).toBe(256 * MiB);
    expect(u.pids).toBe(5);
    expect(memoryUsed(countersFromStats(second, 0)!)).toBe(68_501_504);
  });

  it('sums every network interface', () => {
    const c = countersFromStats(first, 0)!;
    expect(c.netRx).toBeGreaterThan(0);
  });

  it('returns null for the zeroed sample a stopped container keeps getting', () => {
    const samples = ndjson('stats-v1-stopping.ndjson');
    expect(countersFromStats(samples[0], 0)).not.toBe(null);
    expect(countersFromStats(samples.at(-1), 0)).toBe(null);
  });

  it('survives nulls, missing sections and garbage', () => {
    expect(countersFromStats({}, 0)).toMatchObject({
      cpuNs: null,
      memUsage: null,
      netRx: null,
      blkRead: null,
      pids: null,
    });
    expect(countersFromStats(null, 0)).toMatchObject({ cpuNs: null });
    expect(countersFromStats({ memory_stats: { usage: 'x' }, networks: { eth0: null } }, 0)).toMatchObject({
      memUsage: null,
      netRx: null,
    });
  });
});

describe('cgroup v2 samples (public recordings, see fixtures/SOURCES.md)', () => {
  it('takes online_cpus when percpu_usage is absent, and sums block I/O like docker stats (168MB / 13.3MB)', () => {
    const c = countersFromStats(JSON.parse(fixture('stats-v2-janvit-partial.json')), 0)!;
    expect(c.onlineCpus).toBe(4);
    expect(c.blkRead).toBe(168443904);
    expect(c.blkWrite).toBe(13348864);
    expect(c.pids).toBe(2);
  });

  it('subtracts inactive_file: 26.06 MiB and 2.07 MiB, the figures docker stats showed', () => {
    const mems = JSON.parse(fixture('stats-v2-memory-checkmk.json')) as unknown[];
    const shown = mems.map((m) => memoryUsed(countersFromStats({ memory_stats: m }, 0)!)! / MiB);
    expect(shown.map((v) => Math.round(v * 100) / 100)).toEqual([26.06, 2.07]);
  });
});

describe('cgroup and /proc files', () => {
  it('reads v1 files recorded from the burning container', () => {
    const stat = parseKeyValues(fixture('cgroup-v1-burn/memory.stat'));
    const usage = parseNumber(fixture('cgroup-v1-burn/memory.usage_in_bytes'))!;
    expect(usage - stat.get('total_inactive_file')!).toBeGreaterThanOrEqual(64 * MiB);
    expect(parseNumber(fixture('cgroup-v1-burn/memory.limit_in_bytes'))).toBe(256 * MiB);
    expect(parseNumber(fixture('cgroup-v1-burn/cpuacct.usage'))).toBeGreaterThan(1e9);
    expect(parseNumber(fixture('cgroup-v1-burn/pids.current'))).toBeGreaterThanOrEqual(3);
    expect(parseBlkioV1(fixture('cgroup-v1-burn/blkio.throttle.io_service_bytes_recursive'))).toEqual({
      read: 0,
      write: 0,
    });
    const net = parseNetDev(fixture('cgroup-v1-burn/net_dev'))!;
    expect(net.rx).toBeGreaterThan(0);
    expect(containerIdFromCgroup(fixture('cgroup-v1-burn/proc_pid_cgroup'))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('statValue reads one key of memory.stat as the full parse does (v1 and v2, first line and missing)', () => {
    for (const [file, keys] of [
      ['cgroup-v1-burn/memory.stat', ['total_inactive_file', 'inactive_file', 'cache', 'rss']],
      ['cgroup-v2-checkmk/memory.stat', ['inactive_file', 'anon', 'file']],
    ] as const) {
      const text = fixture(file);
      const all = parseKeyValues(text);
      for (const key of keys) expect(statValue(text, key), `${file} ${key}`).toBe(all.get(key) ?? null);
      expect(statValue(text, 'no_such_key')).toBe(null);
    }
    expect(statValue(null, 'cache')).toBe(null);
  });

  it('reads v2 memory files', () => {
    const stat = parseKeyValues(fixture('cgroup-v2-checkmk/memory.stat'));
    expect(parseNumber(fixture('cgroup-v2-checkmk/memory.current'))! - stat.get('inactive_file')!).toBe(
      110198784 - 47038464,
    );
    expect(parseNumber(fixture('cgroup-v2-checkmk/memory.max'))).toBe(null);
  });

  it('computes system CPU from /proc/stat the way dockerd does (seven fields, clock ticks)', () => {
    const p = parseProcStat(
      'cpu  60003 0 8225 198874 1495 0 547 34 0 0\ncpu0 1 0 0 0 0 0 0 0 0 0\ncpu1 1 0 0 0 0 0 0 0 0 0\n',
    )!;
    expect(p.systemNs).toBe((60003 + 8225 + 198874 + 1495 + 547) * 1e7);
    expect(p.onlineCpus).toBe(2);
    expect(parseProcStat('garbage')).toBe(null);
  });

  it('parses io.stat of cgroup v2 and the systemd form of /proc/<pid>/cgroup', () => {
    expect(parseIoStatV2('8:0 rbytes=1000 wbytes=20 rios=1 wios=1 dbytes=0 dios=0\n8:16 rbytes=5 wbytes=5\n')).toEqual({
      read: 1005,
      write: 25,
    });
    const id = 'a'.repeat(64);
    expect(containerIdFromCgroup(`0::/system.slice/docker-${id}.scope\n`)).toBe(id);
    expect(containerIdFromCgroup('0::/user.slice\n')).toBe(null);
  });
});

describe('usageOf', () => {
  const base: Counters = {
    at: 0,
    cpuNs: 0,
    systemNs: 0,
    onlineCpus: 2,
    memUsage: 100,
    memInactiveFile: 10,
    memLimit: 1000,
    netRx: 0,
    netTx: 0,
    blkRead: 0,
    blkWrite: 0,
    pids: 3,
  };
  it('gives rates per second and CPU as a share of the --cpus limit', () => {
    const next: Counters = {
      ...base,
      at: 2000,
      cpuNs: 1e9,
      systemNs: 4e9,
      netRx: 2048,
      netTx: 1024,
      blkRead: 4096,
      blkWrite: 0,
    };
    const u = usageOf(base, next, 0.5e9);
    expect(u.cpuPercent).toBe(50); // 1 s of CPU over 2 s on a 2-CPU host (4 s of host time) × 2 CPUs
    expect(u.cpuOfLimitPercent).toBe(100);
    expect([u.netRxBps, u.netTxBps, u.blkReadBps, u.blkWriteBps]).toEqual([1024, 512, 2048, 0]);
    expect(u.memBytes).toBe(90);
  });
  it('gives no CPU or rates without a previous sample, or when counters went backwards (restart)', () => {
    expect(usageOf(null, base, null)).toMatchObject({ cpuPercent: null, netRxBps: null, memBytes: 90 });
    const restarted: Counters = { ...base, at: 1000, cpuNs: 5, systemNs: 1e9, netRx: 0 };
    expect(usageOf({ ...base, cpuNs: 1e9, netRx: 500 }, restarted, null)).toMatchObject({
      cpuPercent: null,
      netRxBps: null,
    });
  });
});

describe('host CPU from /proc/stat', () => {
  it('is the busy share between two samples', async () => {
    const { hostCpuPercent } = await import('../../source/cluster/usage.js');
    const a = 'cpu  100 0 100 700 100 0 0 0 0 0\n';
    const b = 'cpu  150 0 150 800 100 0 0 0 0 0\n'; // 100 busy of 200 ticks
    expect(hostCpuPercent(a, b)).toBe(50);
    expect(hostCpuPercent(a, a)).toBe(null);
    expect(hostCpuPercent('x', b)).toBe(null);
  });
});
