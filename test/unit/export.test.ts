// `tfmon export`: every format from two recorded clusters (test/fixtures/export: a TensorFlow one
// with GPUs by id and all, limits, /dev/shm, a bind mount and a named volume, a published port,
// restart policies; a torchrun one), validated against the published schemas; what each carries and
// what it says it cannot; and a Compose file read back by `tfmon up --from`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ComposeError, planFromCompose, shellWords } from '../../source/cluster/compose-read.js';
import { exportAs } from '../../source/cluster/export/export.js';
import { FORMATS, type ExportFormat } from '../../source/cluster/export/output.js';
import { exportClusterOf, type ExportCluster } from '../../source/cluster/export/task.js';
import { moveTorchrun } from '../../source/cluster/export/torchrun-args.js';
import { toNodeView } from '../../source/cluster/role.js';
import { parseTfConfig } from '../../source/cluster/tf-config.js';
import type { NodeView } from '../../source/cluster/types.js';
import { factsFromInspect } from '../../source/engine/containers.js';
import { schemaErrors } from '../helpers/schemas.js';

const fixture = (file: string): unknown[] =>
  JSON.parse(readFileSync(new URL(`../fixtures/export/${file}`, import.meta.url), 'utf8')) as unknown[];
const recordedNetwork = fixture('network.json')[0] as { Name: string; Id: string; Driver: string };
const network = { name: recordedNetwork.Name, id: recordedNetwork.Id, driver: recordedNetwork.Driver };
const images = new Map(
  fixture('images.json').map((i) => [(i as { RepoTags: string[] }).RepoTags[0] as string, i] as const),
);

function clusterOf(file: string): { cluster: ExportCluster; nodes: NodeView[] } {
  const inspects = fixture(file);
  const nodes = inspects.map((i) => toNodeView(factsFromInspect(i, network)));
  const byId = new Map(nodes.map((n, i) => [n.id, inspects[i]] as const));
  return { cluster: exportClusterOf(nodes, [], network, { inspects: byId, images }, 'the fixture'), nodes };
}

const tf = clusterOf('tf-containers.json').cluster;
const torchrun = clusterOf('torchrun-containers.json').cluster;
// biome-ignore lint/suspicious/noExplicitAny: documents walked by path in assertions
type Doc = Record<string, any>;

const out = (format: ExportFormat, c: ExportCluster, name: string | null = null) => {
  const r = exportAs(format, c, name);
  return { ...r, parsed: parse(r.text, { version: '1.1' }) as Doc };
};

describe('every format validates against its published schema', () => {
  for (const format of FORMATS) {
    for (const [label, c] of [
      ['tensorflow', tf],
      ['torchrun', torchrun],
    ] as const) {
      if ((format === 'tfjob' && label === 'torchrun') || (format === 'pytorchjob' && label === 'tensorflow')) continue;
      it(`${format} of the ${label} cluster`, () => {
        const { parsed, doc } = out(format, c);
        // The YAML written reads back as the document built (quoting included).
        expect(parsed).toEqual(doc);
        expect(schemaErrors(format, parsed)).toEqual([]);
      });
    }
  }

  it('the validators are live: a misspelt key, a wrong type and a missing field each fail', () => {
    const compose = out('compose', tf).parsed;
    compose['services']['tfx-ps-0']['gpu_count'] = 2;
    expect(schemaErrors('compose', compose).join()).toMatch(/additional/);
    const tfjob = out('tfjob', tf).parsed;
    tfjob['spec']['tfReplicaSpecs']['Worker']['replica'] = 2;
    expect(schemaErrors('tfjob', tfjob).join()).toMatch(/additional/);
    const jobset = out('jobset', tf).parsed;
    jobset['spec']['replicatedJobs'][0]['replicas'] = 'one';
    expect(schemaErrors('jobset', jobset).join()).toMatch(/integer/);
    const trainjob = out('trainjob', torchrun).parsed;
    delete trainjob['spec']['runtimeRef'];
    expect(schemaErrors('trainjob', trainjob).join()).toMatch(/runtimeRef/);
  });
});

describe('compose', () => {
  const { parsed, warnings, text } = out('compose', tf);
  const s = parsed['services'];

  it('one service per task, named as its peers reach it, with its own TF_CONFIG', () => {
    expect(Object.keys(s)).toEqual(['tfx-chief', 'tfx-ps-0', 'tfx-worker-0', 'tfx-worker-1']);
    const w1 = s['tfx-worker-1'];
    expect(w1.container_name).toBe('tfx-worker-1');
    expect(w1.hostname).toBe('tfx-worker-1');
    const config = parseTfConfig(w1.environment.TF_CONFIG);
    expect(config.ok && config.config.task).toEqual({ type: 'worker', index: 1 });
    // The image's own variables (PATH…) stay the image's; the user's are carried.
    expect(Object.keys(s['tfx-worker-0'].environment).sort()).toEqual(['GRPC_FAIL_FAST', 'TF_CONFIG', 'WANDB_API_KEY']);
    expect(s['tfx-ps-0'].command).toBeUndefined();
  });

  it('limits, GPUs, /dev/shm, ports, restart policies and volumes', () => {
    const w0 = s['tfx-worker-0'];
    expect(w0.deploy.resources.limits).toEqual({ cpus: '1.5', memory: '32G' });
    expect(w0.deploy.resources.reservations.devices).toEqual([
      { driver: 'nvidia', device_ids: ['0', '1'], capabilities: ['gpu'] },
    ]);
    expect(s['tfx-chief'].deploy.resources.reservations.devices[0].count).toBe('all');
    expect(w0.shm_size).toBe('2G');
    expect(w0.ports).toEqual(['127.0.0.1:18888:8888']);
    expect(w0.restart).toBe('on-failure:3');
    expect(s['tfx-ps-0'].restart).toBe('unless-stopped');
    expect(w0.volumes).toEqual(['/tmp/tfx-data:/data:ro']);
    expect(s['tfx-chief'].volumes).toEqual(['tfx-ckpt:/ckpt']);
    expect(parsed['volumes']).toEqual({ 'tfx-ckpt': { name: 'tfx-ckpt' } });
    expect(parsed['networks']).toEqual({ 'tfx-net': { name: 'tfx-net' } });
  });

  it('flags the bind mounts, one line each, on stderr and in the file', () => {
    expect(warnings).toEqual([
      'tfx-worker-0: bind mount /tmp/tfx-data → /data names a path on this box (carried as it is)',
      'tfx-worker-1: bind mount /tmp/tfx-data → /data names a path on this box (carried as it is)',
    ]);
    expect(text).toContain('#   tfx-worker-0: bind mount /tmp/tfx-data');
  });

  it('an overlay network is joined, not created', () => {
    const swarm = { ...tf, network: { name: 'tfx-net', id: null, driver: 'overlay' } };
    expect(out('compose', swarm).parsed['networks']).toEqual({ 'tfx-net': { name: 'tfx-net', external: true } });
  });
});

describe('tfjob', () => {
  const { parsed, warnings } = out('tfjob', tf, 'Vision Run #3');
  const specs = parsed['spec']['tfReplicaSpecs'];

  it('one replica spec per role, the operator container and port, GPUs and limits as resources', () => {
    expect(parsed['metadata']['name']).toBe('vision-run-3');
    expect(Object.keys(specs)).toEqual(['Chief', 'PS', 'Worker']);
    expect(specs.Worker.replicas).toBe(2);
    const c = specs.Worker.template.spec.containers[0];
    expect(c.name).toBe('tensorflow');
    expect(c.ports[0]).toEqual({ name: 'tfjob-port', containerPort: 2222 });
    expect(c.resources.limits).toEqual({ cpu: '1500m', memory: '32Gi', 'nvidia.com/gpu': '2' });
    expect(c.resources.requests).toEqual(c.resources.limits);
    // The operator writes TF_CONFIG.
    expect(c.env.map((e: { name: string }) => e.name)).not.toContain('TF_CONFIG');
    expect(specs.Worker.template.spec.volumes).toEqual([
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } },
    ]);
    expect(specs.Worker.restartPolicy).toBe('OnFailure');
    expect(specs.PS.restartPolicy).toBe('Always');
    expect(parsed['spec']['runPolicy']).toEqual({ cleanPodPolicy: 'None', backoffLimit: 3 });
  });

  it('says what a pod cannot carry', () => {
    expect(warnings).toEqual(
      expect.arrayContaining([
        'tfx-chief: --gpus all has no count in Kubernetes: nvidia.com/gpu 1 written, set yours',
        'tfx-chief: volume tfx-ckpt at /ckpt not carried (give the pod a volume: a PersistentVolumeClaim)',
        'tfx-worker-0: GPUs 0,1 by id not carried: the scheduler picks 2',
        'tfx-worker-0: bind mount /tmp/tfx-data → /data names a path on this box: not carried (give the pod a volume)',
        'tfx-worker-0: published port 18888 → 8888 not carried as a host port: reach it through a Service',
      ]),
    );
  });

  it('refuses a job of another framework in one line', () => {
    expect(() => exportAs('tfjob', torchrun, null)).toThrow(
      /tfjob carries a TensorFlow job; this cluster has none \(its tasks: pytorch\)/,
    );
  });
});

describe('jobset', () => {
  it("TensorFlow: TF_CONFIG built from JobSet's host names and the completion index", () => {
    const { parsed, warnings } = out('jobset', tf);
    expect(parsed['spec']['network']).toEqual({ enableDNSHostnames: true });
    const jobs = parsed['spec']['replicatedJobs'];
    expect(jobs.map((j: Doc) => [j.name, j.template.spec.parallelism])).toEqual([
      ['chief', 1],
      ['ps', 1],
      ['worker', 2],
    ]);
    const env = jobs[2].template.spec.template.spec.containers[0].env as Doc[];
    expect(env[0]).toEqual({
      name: 'TASK_INDEX',
      valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
    });
    const tfConfig = env.find((e) => e.name === 'TF_CONFIG')?.value as string;
    const config = parseTfConfig(tfConfig.replace('$(TASK_INDEX)', '1'));
    expect(config.ok && config.config).toEqual({
      cluster: {
        chief: [{ index: 0, address: 'tfx-net-chief-0-0.tfx-net:2222' }],
        ps: [{ index: 0, address: 'tfx-net-ps-0-0.tfx-net:2222' }],
        worker: [
          { index: 0, address: 'tfx-net-worker-0-0.tfx-net:2222' },
          { index: 1, address: 'tfx-net-worker-0-1.tfx-net:2222' },
        ],
      },
      task: { type: 'worker', index: 1 },
    });
    // A Job's pods restart only on failure: the ps's unless-stopped is said so.
    expect(jobs[1].template.spec.template.spec.restartPolicy).toBe('OnFailure');
    expect(warnings).toContain(
      "tfx-ps-0: restart unless-stopped written as OnFailure (a Job's pods restart only on failure)",
    );
  });

  it("torchrun: the master's name in the command line becomes rank 0's pod", () => {
    const { parsed } = out('jobset', torchrun);
    const c = parsed['spec']['replicatedJobs'][0].template.spec.template.spec.containers[0];
    expect(c.args).toEqual([
      'torchrun',
      '--nnodes',
      '2',
      '--nproc-per-node',
      '4',
      '--node-rank',
      '$(TASK_INDEX)',
      '--master-addr',
      'tfx-net-node-0-0.tfx-net',
      '--master-port',
      '29500',
      '/opt/train.py',
      '--epochs',
      '3',
    ]);
    expect(c.resources.limits['nvidia.com/gpu']).toBe('4');
  });
});

describe('pytorchjob and trainjob', () => {
  it('pytorchjob: Master and Worker, processes per node, the operator sets the rank variables', () => {
    const { parsed } = out('pytorchjob', torchrun);
    const specs = parsed['spec']['pytorchReplicaSpecs'];
    expect([specs.Master.replicas, specs.Worker.replicas]).toEqual([1, 1]);
    expect(parsed['spec']['nprocPerNode']).toBe('4');
    const c = specs.Master.template.spec.containers[0];
    expect(c.name).toBe('pytorch');
    expect(c.ports[0]).toEqual({ name: 'pytorchjob-port', containerPort: 29500 });
    expect(c.env).toEqual([
      { name: 'NCCL_DEBUG', value: 'INFO' },
      { name: 'OMP_NUM_THREADS', value: '4' },
    ]);
    // The image's entrypoint stays; torchrun's job flags go (they would beat the operator's PET_*).
    expect(c.command).toBeUndefined();
    expect(c.args).toEqual(['torchrun', '/opt/train.py', '--epochs', '3']);
    expect(specs.Worker.template.spec.containers[0].args).toEqual(c.args);
  });

  it('trainjob, PyTorch: the torch-distributed runtime, nodes and processes, resources per node', () => {
    const { parsed, warnings } = out('trainjob', torchrun);
    expect(parsed['spec']['runtimeRef']).toEqual({ name: 'torch-distributed' });
    const t = parsed['spec']['trainer'];
    expect([t.numNodes, t.numProcPerNode]).toEqual([2, 4]);
    expect(t.resourcesPerNode.limits['nvidia.com/gpu']).toBe('4');
    expect(warnings).toContain(
      "tfx-node-0: --shm-size not carried (a TrainJob sets it through its runtime's pod template)",
    );
  });

  it('trainjob, TensorFlow: says in the file and on stderr that Trainer ships no TensorFlow runtime', () => {
    const { parsed, warnings, text } = out('trainjob', tf);
    expect(parsed['spec']['runtimeRef']).toEqual({ name: 'tensorflow-distributed' });
    expect(parsed['spec']['trainer'].numNodes).toBe(3);
    expect(text).toMatch(/^# Kubeflow Trainer v2 .* ships no TensorFlow runtime/m);
    expect(warnings).toContain("tfx-ps-0: ps tasks not carried (a TrainJob's nodes are alike)");
  });
});

describe("torchrun's command line on Kubernetes", () => {
  const line = (s: string) => s.split(' ');
  it('under an operator its job flags go, in every spelling; the script and its flags stay', () => {
    expect(
      moveTorchrun(
        line(
          'torchrun --standalone --nnodes=2 --nproc_per_node 4 --node_rank=1 --rdzv-endpoint h:1 --max-restarts 3 t.py --node-rank 9',
        ),
        { kind: 'operator' },
      ),
    ).toEqual(line('torchrun --max-restarts 3 t.py --node-rank 9'));
    expect(moveTorchrun(line('python3 -m torch.distributed.run --node-rank 1 t.py'), { kind: 'operator' })).toEqual(
      line('python3 -m torch.distributed.run t.py'),
    );
    expect(moveTorchrun(line('python3 t.py --node-rank 1'), { kind: 'operator' })).toEqual(
      line('python3 t.py --node-rank 1'),
    );
  });

  it('under JobSet the node rank and the master become the pod index and rank 0', () => {
    const move = { kind: 'jobset', nodeRank: '$(TASK_INDEX)', master: 'js-node-0-0.js', port: 29500 } as const;
    expect(
      moveTorchrun(line('/usr/bin/torchrun --node_rank=1 --rdzv_endpoint=old:29400 --nnodes 2 t.py'), move),
    ).toEqual(line('/usr/bin/torchrun --node_rank=$(TASK_INDEX) --rdzv_endpoint=js-node-0-0.js:29500 --nnodes 2 t.py'));
  });
});

describe('from a recording', () => {
  it('what was recorded is carried, and the file says the rest of the environment is not', () => {
    const nodes = clusterOf('tf-containers.json').nodes;
    const recorded = exportClusterOf(
      nodes,
      [],
      network,
      null,
      'night.tfrec at 02:58',
      'a recording keeps no environment',
    );
    const { parsed, warnings } = out('compose', recorded);
    const w0 = parsed['services']['tfx-worker-0'];
    expect(Object.keys(w0.environment).sort()).toEqual(['GRPC_FAIL_FAST', 'TF_CONFIG']);
    expect(w0.entrypoint).toEqual([nodes[2]?.command[0]]);
    expect(w0.deploy.resources.limits).toEqual({ cpus: '1.5', memory: '32G' });
    expect(warnings[0]).toBe('a recording keeps no environment');
    expect(schemaErrors('compose', parsed)).toEqual([]);
  });
});

describe('tfmon up --from reads the Compose file back', () => {
  it('the same containers: names, TF_CONFIG, limits, GPUs, ports, restart, mounts, /dev/shm', () => {
    const { plan, warnings } = planFromCompose(out('compose', tf).text, { 'tfmon.test': 'x' });
    expect(warnings).toEqual([]);
    expect(plan.network).toBe('tfx-net');
    const w0 = plan.containers.find((c) => c.name === 'tfx-worker-0');
    expect(w0).toMatchObject({
      type: 'worker',
      index: 0,
      nanoCpus: 1.5e9,
      memoryBytes: 32 * 1024 ** 3,
      gpus: { count: 0, deviceIds: ['0', '1'] },
      ports: [{ hostPort: 18888, containerPort: 8888, hostIp: '127.0.0.1' }],
      restart: { name: 'on-failure', maxRetries: 3 },
      binds: ['/tmp/tfx-data:/data:ro'],
      shmBytes: 2 * 1024 ** 3,
      hostname: 'tfx-worker-0',
    });
    expect(w0?.env['TF_CONFIG']).toBe(tf.tasks[2]?.env['TF_CONFIG']);
    expect(w0?.labels['tfmon.test']).toBe('x');
    expect(plan.containers.find((c) => c.name === 'tfx-chief')?.gpus).toEqual({ count: -1, deviceIds: null });
  });

  it("a person's file: string commands, list environment, long port syntax; what is not read is said", () => {
    const { plan, warnings } = planFromCompose(
      [
        'services:',
        '  trainer:',
        '    image: busybox',
        '    container_name: tr-0',
        '    build: .',
        '    command: python3 -c "print(1)" --flag',
        '    environment: [RANK=0, WORLD_SIZE=1]',
        '    ports: [{target: 80, published: 8080, protocol: udp}, "9000"]',
        '    networks: [net]',
        'networks:',
        '  net: {}',
      ].join('\n'),
      {},
    );
    expect(plan.containers[0]).toMatchObject({
      name: 'tr-0',
      aliases: ['trainer'],
      type: 'master',
      command: ['python3', '-c', 'print(1)', '--flag'],
      env: { RANK: '0', WORLD_SIZE: '1' },
      ports: [{ hostPort: 8080, containerPort: 80, protocol: 'udp' }],
    });
    expect(plan.network).toBe('net');
    expect(warnings).toEqual([
      'service trainer: build not read',
      'service trainer: port "9000" not read (tfmon reads [IP:]HOST:CONTAINER[/tcp|udp])',
    ]);
  });

  it('a file it cannot use is one line', () => {
    const bad = (text: string) => () => planFromCompose(text, {});
    expect(bad('services: [')).toThrow(ComposeError);
    expect(bad('foo: 1')).toThrow('not a Compose file: no services mapping');
    expect(bad('services:\n  a: {image: x}\n')).toThrow('the file declares no network');
    expect(bad('services:\n  a: {command: x}\nnetworks: {n: {}}')).toThrow('service a has no image');
    expect(bad('services:\n  a: {image: x, restart: sometimes}\nnetworks: {n: {}}')).toThrow(/restart must be/);
    expect(bad('services:\n  a: {image: x, deploy: {resources: {limits: {memory: lots}}}}\nnetworks: {n: {}}')).toThrow(
      /memory must be a size/,
    );
    for (const f of [bad('services: ['), bad('foo: 1')]) {
      try {
        f();
      } catch (error) {
        expect(String((error as Error).message)).not.toContain('\n');
      }
    }
  });

  it('shell words as Compose splits a string command', () => {
    expect(shellWords(`sh -c 'echo "a b"' "x \\" y" z`)).toEqual(['sh', '-c', 'echo "a b"', 'x " y', 'z']);
  });
});
