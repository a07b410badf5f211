// A planned task as a swarm service (`tfmon up --swarm`): one service per TF task, named as the task
// so that peers resolve it (endpoint mode dnsrr: the name gives the task's own address, no VIP).
import type { PlannedContainer } from './up-plan.js';

export function serviceSpec(
  c: PlannedContainer,
  network: string,
  constraints: readonly string[],
): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  const limits: Record<string, number> = {};
  if (c.nanoCpus) limits['NanoCPUs'] = c.nanoCpus;
  if (c.memoryBytes) limits['MemoryBytes'] = c.memoryBytes;
  if (Object.keys(limits).length) resources['Limits'] = limits;
  // GPUs in swarm are generic resources the nodes advertise (node-generic-resources in daemon.json).
  if (c.gpus) {
    const count = c.gpus.deviceIds ? c.gpus.deviceIds.length : c.gpus.count < 0 ? 1 : c.gpus.count;
    resources['Reservations'] = { GenericResources: [{ DiscreteResourceSpec: { Kind: 'NVIDIA-GPU', Value: count } }] };
  }
  return {
    Name: c.name,
    Labels: c.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: c.image,
        ...(c.command ? { Args: c.command } : {}),
        Env: Object.entries(c.env).map(([k, v]) => `${k}=${v}`),
        Labels: c.labels,
        Hostname: c.name,
      },
      Resources: resources,
      Placement: { Constraints: [...constraints] },
      Networks: [{ Target: network, Aliases: [c.name] }],
    },
    Mode: { Replicated: { Replicas: 1 } },
    // One task at a time; a task that fails within 2 s of its update rolls the service back.
    UpdateConfig: { Parallelism: 1, Delay: 0, Monitor: 2e9, FailureAction: 'rollback', Order: 'stop-first' },
    EndpointSpec: {
      Mode: 'dnsrr',
      // dnsrr allows host-mode publishing only: the port opens on the node that runs the task.
      Ports: c.ports.map((p) => ({
        Protocol: 'tcp',
        TargetPort: p.containerPort,
        PublishedPort: p.hostPort,
        PublishMode: 'host',
      })),
    },
  };
}
