// The metrics exposition: cAdvisor's and DCGM's names with the TensorFlow labels, tfmon's own
// families, escaping of hostile names, the engine gone, OpenMetrics; and the listen address.
import { describe, expect, it } from 'vitest';
import type { NodeUsage, Snapshot } from '../../source/cluster/types.js';
import { exposition } from '../../source/metrics/exposition.js';
import { metricFamilies } from '../../source/metrics/families.js';
import { isLoopback, parseListenAddress } from '../../source/metrics/address.js';
import { wantsOpenMetrics } from '../../source/metrics/server.js';
import { facts } from '../helpers/facts.js';
import { seedFacts, snapshotOf } from '../helpers/snapshot.js';

const usage = (cpuNs: number): NodeUsage => ({
  cpuPercent: 50,
  cpuOfLimitPercent: null,
  memBytes: 100 * 1048576,
  memLimitBytes: 256 * 1048576,
  netRxBps: 1,
  netTxBps: 2,
  blkReadBps: 0,
  blkWriteBps: 0,
  pids: 3,
  cpuHistory: [],
  memHistory: [],
  source: 'cgroup',
  counters: {
    at: 1_764_590_400_000,
    cpuNs,
    systemNs: null,
    onlineCpus: 2,
    memUsage: 120 * 1048576,
    memInactiveFile: 20 * 1048576,
    memLimit: 256 * 1048576,
    netRx: 1000,
    netTx: 2000,
    blkRead: 4096,
    blkWrite: 8192,
    pids: 3,
  },
});

function snapshot(): Snapshot {
  const base = snapshotOf(seedFacts());
  const w0 = base.nodes.find((n) => n.name === 'tf-worker-0')!;
  const ps = base.nodes.find((n) => n.name === 'tf-ps-0')!;
  return {
    ...base,
    usage: { [w0.id]: usage(12_500_000_000), [ps.id]: usage(1_000_000_000) },
    gpus: [
      {
        index: 0,
        uuid: 'GPU-abc',
        name: 'NVIDIA H200',
        utilPercent: 87,
        memUsedBytes: 4 * 1073741824,
        memTotalBytes: 141 * 1073741824,
        temperatureC: 40,
        powerW: 300,
      },
    ],
    gpuByContainer: {
      [w0.id]: [
        { index: 0, uuid: 'GPU-abc', utilPercent: 87, memUsedBytes: 3364 * 1048576, memTotalBytes: 141 * 1073741824 },
      ],
    },
    reachability: [
      {
        from: 'tf-worker-0',
        to: 'tf-ps-0',
        port: 2222,
        dns: 'ok',
        ip: '172.18.0.2',
        tcp: 'ok',
        ms: 3,
        reason: null,
        tools: 'getent+nc',
      },
      {
        from: 'tf-worker-1',
        to: 'tf-ps-0',
        port: 2222,
        dns: 'nxdomain',
        ip: null,
        tcp: 'skipped',
        ms: null,
        reason: 'no',
        tools: 'getent+nc',
      },
    ],
    training: {
      [w0.id]: {
        format: 'estimator',
        step: 4200,
        loss: 0.53,
        metrics: {},
        epoch: null,
        epochs: null,
        done: null,
        total: null,
        stepsPerSecond: 50,
        secondsPerStep: null,
        secondsPerReport: 2,
        globalStepsPerSecond: 50,
        lastProgressAt: 1_764_590_399_000,
        lossHistory: [],
        trend: null,
      },
    },
    clusterTraining: { globalStepsPerSecond: 50, eta: null },
    problems: [
      {
        severity: 'error',
        node: 'tf-worker-1',
        code: 'tf_config_stale',
        message: 'x',
        nodes: ['tf-worker-1'],
        causedBy: null,
      },
      {
        severity: 'error',
        node: 'tf-worker-1',
        code: 'peer_unresolvable',
        message: 'y',
        nodes: ['tf-worker-1', 'tf-ps-0'],
        causedBy: { node: 'tf-worker-1', code: 'tf_config_stale' },
      },
    ],
  };
}

const line = (text: string, re: RegExp): string | undefined => text.split('\n').find((l) => re.test(l));

describe('the exposition', () => {
  it("cAdvisor's names, types and units, with cAdvisor's labels and the TensorFlow ones", async () => {
    const text = await exposition(snapshot());
    expect(text).toContain('# TYPE container_cpu_usage_seconds_total counter');
    expect(line(text, /^container_cpu_usage_seconds_total\{name="tf-worker-0"/)).toBe(
      'container_cpu_usage_seconds_total{name="tf-worker-0",id="/docker/id-tf-worker-0",image="tfmon-sim:d6b6b3a1e31e",tf_cluster="tf-network",tf_role="worker",tf_index="0",framework="tensorflow",engine="unix:///var/run/docker.sock"} 12.5',
    );
    expect(line(text, /^container_memory_working_set_bytes\{name="tf-worker-0"/)).toMatch(/ 104857600$/);
    expect(line(text, /^container_memory_usage_bytes\{name="tf-worker-0"/)).toMatch(/ 125829120$/);
    // No --memory limit: 0, as cAdvisor says it.
    expect(line(text, /^container_spec_memory_limit_bytes\{name="tf-worker-0"/)).toMatch(/ 0$/);
    expect(line(text, /^container_network_receive_bytes_total\{name="tf-worker-0"/)).toMatch(/ 1000$/);
    expect(line(text, /^container_fs_writes_bytes_total\{name="tf-worker-0"/)).toMatch(/ 8192$/);
    expect(line(text, /^container_last_seen\{name="tf-worker-0"/)).toMatch(/ 1764590400$/);
    // Every family says HELP and TYPE, even with no sample.
    for (const f of metricFamilies(snapshot())) {
      expect(text).toContain(`# HELP ${f.name} `);
      expect(text).toContain(`# TYPE ${f.name} ${f.type}`);
    }
  });

  it("GPU per container with DCGM's names and units (MiB), tfmon's own families", async () => {
    const text = await exposition(snapshot());
    expect(line(text, /^DCGM_FI_DEV_GPU_UTIL\{/)).toMatch(
      /^DCGM_FI_DEV_GPU_UTIL\{gpu="0",UUID="GPU-abc",modelName="NVIDIA H200",name="tf-worker-0",.*\} 87$/,
    );
    expect(line(text, /^DCGM_FI_DEV_FB_USED\{/)).toMatch(/ 3364$/);
    expect(line(text, /^tfmon_engine_up\{/)).toBe(
      'tfmon_engine_up{engine="unix:///var/run/docker.sock",tf_cluster="tf-network"} 1',
    );
    expect(line(text, /^tfmon_node_up\{name="tf-ps-0"/)).toMatch(/tf_role="ps",tf_index="0".* 1$/);
    expect(line(text, /^tfmon_node_state\{state="running",name="tf-ps-0"/)).toMatch(/tf_role="ps".*\} 1$/);
    expect(line(text, /^tfmon_reachability\{from="tf-worker-0"/)).toBe(
      'tfmon_reachability{from="tf-worker-0",to="tf-ps-0",tf_cluster="tf-network"} 1',
    );
    expect(line(text, /^tfmon_reachability\{from="tf-worker-1"/)).toMatch(/ 0$/);
    expect(line(text, /^tfmon_probe_latency_seconds\{/)).toMatch(/ 0\.003$/);
    // Roots only: the unresolvable pair follows from the stale TF_CONFIG.
    expect(text.split('\n').filter((l) => l.startsWith('tfmon_problems{'))).toEqual([
      'tfmon_problems{code="tf_config_stale",severity="error",node="tf-worker-1",tf_cluster="tf-network"} 1',
    ]);
    expect(line(text, /^tfmon_tf_config_stale\{name="tf-worker-1"/)).toMatch(/ 1$/);
    expect(line(text, /^tfmon_training_step\{name="tf-worker-0"/)).toMatch(/ 4200$/);
    expect(line(text, /^tfmon_training_global_steps_per_second\{/)).toBe(
      'tfmon_training_global_steps_per_second{tf_cluster="tf-network"} 50',
    );
  });

  it('escapes hostile names and labels as the format requires: no line of their own', async () => {
    const evil = 'tf-worker-9"} 1\nfake_metric{a="b';
    const s = snapshotOf([
      ...seedFacts(),
      facts({ id: 'id-evil', name: evil, image: 'img\\"\n', labels: {}, tfConfigRaw: null }),
    ]);
    const text = await exposition(s);
    expect(text).not.toMatch(/^fake_metric/m);
    // Newlines go with the other controls; quotes and backslashes are escaped.
    expect(text).toContain('name="tf-worker-9\\"} 1fake_metric{a=\\"b"');
    expect(text).toContain('image="img\\\\\\""');
    // Terminal sequences (a label value as a container's config or a TF_CONFIG may carry them) do
    // not reach a terminal that shows the exposition.
    const seq = snapshotOf([
      facts({
        id: 'id-seq',
        name: 'tf-worker-0',
        image: 'img\u001b]52;c;ZXZpbA==\u0007\u001b[2J',
        labels: {},
        tfConfigRaw: null,
      }),
    ]);
    const shown = await exposition(seq);
    expect(shown).toContain('image="img"');
    expect(shown).not.toMatch(/[\u001b\u0007]/);
  });

  it('the engine gone: tfmon_engine_up 0 and no container series at all, nothing stale presented as fresh', async () => {
    const text = await exposition({ ...snapshot(), engineError: 'engine unreachable — retrying (connect ENOENT)' });
    expect(line(text, /^tfmon_engine_up\{/)).toMatch(/ 0$/);
    expect(text).not.toMatch(/^(container_|DCGM_|tfmon_node_|tfmon_reachability|tfmon_training_step)\S*\{/m);
  });

  it('a removed container: its series are gone from the next scrape', async () => {
    const s = snapshot();
    const gone = { ...s, nodes: s.nodes.filter((n) => n.name !== 'tf-worker-0') };
    expect(await exposition(s)).toMatch(/name="tf-worker-0"/);
    expect(await exposition(gone)).not.toMatch(/name="tf-worker-0"/);
  });

  it('OpenMetrics when asked for: counters named without _total, samples with it, # EOF at the end', async () => {
    const text = await exposition(snapshot(), true);
    expect(text).toContain('# TYPE container_cpu_usage_seconds counter');
    expect(line(text, /^container_cpu_usage_seconds_total\{name="tf-worker-0"/)).toMatch(/ 12\.5$/);
    expect(text.trimEnd().endsWith('# EOF')).toBe(true);
    expect(
      wantsOpenMetrics('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'),
    ).toBe(true);
    expect(wantsOpenMetrics('text/plain')).toBe(false);
  });
});

describe('--metrics ADDR', () => {
  it('a bare port is loopback; other hosts must be named; bad values are one line', () => {
    expect(parseListenAddress('10922')).toEqual({ host: '127.0.0.1', port: 10922 });
    expect(parseListenAddress('0.0.0.0:9999')).toEqual({ host: '0.0.0.0', port: 9999 });
    expect(parseListenAddress('[::1]:10922')).toEqual({ host: '::1', port: 10922 });
    expect(parseListenAddress('host:99999')).toMatch(/^--metrics must be PORT, HOST:PORT/);
    expect(parseListenAddress('http://x:1')).toMatch(/^--metrics must be/);
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
  });
});
