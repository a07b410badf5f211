// One Docker engine: the connection (transport for reads and streams, dockerode loaded on the first
// action, connection errors turned into one line) and the reads the monitor needs — the engine's
// version, the network, the cluster's containers, events, stats and logs, probe sessions. Everything
// above this layer sees plain data, never dockerode. Its other parts have files of their own, reached
// through it: images (images.ts), swarm services (swarm-services.ts), container changes
// (container-writes.ts); sessions, events, log frames and inspect parsing live beside it, and the
// monitor's parts depend on the narrow views in needs.ts. A little over 300 lines: each read is a
// short typed wrapper, and splitting them further would scatter the connection they share.
import type Modem from 'docker-modem';
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import type Docker from 'dockerode';
import type { ContainerFacts, EngineInfo, NetworkInfo, SwarmNodeInfo } from '../cluster/types.js';
import type { ContainerExtras, PlannedPort } from '../cluster/up-plan.js';
import { parseSshHost, SshTunnel, tunnelAgent } from './ssh-tunnel.js';
import { transportFor, type Query, type Transport } from './transport.js';
import { resolveEndpoint, type Endpoint } from './endpoint.js';
import { LABEL_CLUSTER } from '../cluster/role.js';
import { factsFromInspect, attachmentOf, isMemberOf } from './containers.js';
import { EngineError, describeConnectError, engineMessage, isNotFound, statusOf } from './errors.js';
import { followEvents, LineSplitter, type EventsCallbacks } from './events.js';
import { LogDecoder, MAX_LINE, type LineSink } from './log-decoder.js';
import { openExecSession, openHelperSession, type ExecSession } from './sessions.js';
import { enc, labelFilters, type EngineCalls } from './connection.js';
import { Images } from './images.js';
import { SwarmServices } from './swarm-services.js';
import { ContainerWrites } from './container-writes.js';

import type { LogStream } from '../cluster/logs.js';

export type { ExecSession };

export interface CreateSpec extends ContainerExtras {
  name: string;
  image: string;
  command: string[] | null;
  env: Record<string, string>;
  labels: Record<string, string>;
  network: string;
  nanoCpus: number | null;
  memoryBytes: number | null;
  gpus: { count: number; deviceIds: string[] | null } | null;
  ports: PlannedPort[];
}

/** The parts of an inspect document read here; the rest is passed on as it is. */
export interface InspectDoc {
  Config?: { Labels?: Record<string, string> | null };
  State?: { Status?: string; Running?: boolean };
  RestartCount?: number;
}

export class Engine implements EngineCalls {
  readonly host: string;
  readonly endpoint: Endpoint;
  /** ssh://: the one SSH login, and the pool of its channels shared by reads and actions. */
  private readonly sshTunnel: SshTunnel | null = null;
  private readonly tunnel: Http.Agent | null = null;
  /** Reads: JSON answers and streams (transport.ts). */
  private readonly transport: Transport;
  /** Actions go through dockerode, loaded on the first one, on docker-modem with a keep-alive pool
   * of the engine's own: Node's global agent keeps idle connections 5 s, this one ends on close(). */
  private actionsModem: Promise<Modem> | null = null;
  private actionsPool: Http.Agent | null = null;
  private client: Promise<Docker> | null = null;
  /** Local images (lookup, import). */
  readonly images: Images = new Images(this);
  /** Swarm services and overlay networks. */
  readonly services: SwarmServices = new SwarmServices(this);
  /** Creating, starting, stopping, renaming, removing containers (the actions' part). */
  readonly containers: ContainerWrites = new ContainerWrites(this);

  /** A host URL (as --host), an endpoint already resolved (--context), or nothing: the docker CLI's
   * choice (DOCKER_HOST, DOCKER_CONTEXT, the current context, the default socket). */
  constructor(target?: string | Endpoint, options: { sshPersistS?: number | undefined } = {}) {
    this.endpoint = typeof target === 'object' ? target : resolveEndpoint({ host: target });
    this.host = this.endpoint.host;
    const ssh = parseSshHost(this.host);
    if (ssh) {
      this.sshTunnel = new SshTunnel(this.host, ssh, options.sshPersistS);
      this.tunnel = tunnelAgent(this.sshTunnel);
    }
    this.transport = transportFor(this.endpoint, this.tunnel ?? undefined);
  }

  /** Ends the idle connections kept for reuse. Streams and sessions are their owners' to close
   * (monitor.stop()); a request made afterwards simply opens a new connection. */
  close(): void {
    this.transport.close();
    this.actionsPool?.destroy();
    this.sshTunnel?.close();
  }

  /** The engine runs on this host (its socket is here): its containers' cgroups and PIDs are ours to read. */
  get local(): boolean {
    return this.host.startsWith('unix://');
  }

  /** docker-modem (and, for exec sessions, its stream demultiplexer), loaded on the first action. */
  private modem(): Promise<Modem> {
    if (!this.actionsModem) {
      const { Agent } = createRequire(import.meta.url)('node:http') as typeof Http;
      const pool = (this.actionsPool = new Agent({ keepAlive: true }));
      this.actionsModem = import('./connect.js').then(({ modemFor }) =>
        modemFor(this.endpoint, this.tunnel ?? (this.local ? pool : undefined)),
      );
    }
    return this.actionsModem;
  }

  /** dockerode on that modem, loaded on the first action: its import pulls in gRPC for BuildKit
   * (~75 ms), which no read needs. */
  api(): Promise<Docker> {
    this.client ??= Promise.all([import('dockerode'), this.modem()]).then(
      ([{ default: Docker }, modem]) => new Docker({ modem } as Docker.DockerOptions),
    ); // dockerode takes a modem; its types omit it
    return this.client;
  }

  /** A read through the transport: GET path?query → parsed JSON. */
  get<T>(path: string, query: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
    return this.transport.get<T>(path, query as Query, signal);
  }

  /** Wraps a call so that connection failures become one actionable line. */
  async call<T>(what: () => Promise<T>): Promise<T> {
    try {
      return await what();
    } catch (error) {
      if (statusOf(error) !== null) throw error;
      throw new EngineError(describeConnectError(error, this.host));
    }
  }

  async hello(): Promise<EngineInfo> {
    // /_ping's headers name the version and (API 1.42+) the swarm state: /info and /version cost
    // the daemon ~5 ms each and the first answer ~15 ms here (measured), /_ping and /swarm under 1 ms.
    // Over a remote link /swarm is asked beside /_ping (engines before API 1.42 need it, and a round
    // trip there costs more than the request).
    const early = this.local ? null : this.swarmActive().catch(() => null);
    const headers = await this.call(() => this.transport.ping());
    const server = typeof headers?.['server'] === 'string' ? /^Docker\/(\S+)/.exec(headers['server']) : null;
    if (!server) {
      const info = await this.call(() =>
        this.get<{ ServerVersion?: string; Swarm?: { LocalNodeState?: string } }>('/info'),
      );
      return { host: this.host, version: info.ServerVersion ?? null, swarm: info.Swarm?.LocalNodeState === 'active' };
    }
    const state = headers?.['swarm'];
    const swarm =
      typeof state === 'string' ? state.startsWith('active') : ((await early) ?? (await this.swarmActive()));
    return { host: this.host, version: server[1] ?? null, swarm };
  }

  /** Older engines (API < 1.42) put no swarm state on /_ping: /swarm answers a manager, and says
   * "Worker nodes can't…" to a worker (503); anything else is no swarm. */
  private async swarmActive(): Promise<boolean> {
    try {
      await this.call(() => this.get('/swarm'));
      return true;
    } catch (error) {
      if (statusOf(error) === 503) return /worker nodes/i.test(engineMessage(error));
      throw error;
    }
  }

  async networkNames(): Promise<string[]> {
    const list = await this.call(() => this.get<{ Name: string }[]>('/networks'));
    return list.map((n) => n.Name).sort();
  }

  /** The network with its gateways (on a bridge, the host's own side of it: tfmon routes to the nodes
   * only when one of them is an address of this host), or an EngineError listing the ones that exist. */
  async findNetwork(name: string): Promise<NetworkInfo & { labels: Record<string, string>; gateways: string[] }> {
    try {
      const n = await this.call(() =>
        this.get<{
          Id: string;
          Name: string;
          Driver: string;
          Labels?: Record<string, string> | null;
          IPAM?: { Config?: { Gateway?: string }[] | null };
        }>(`/networks/${enc(name)}`),
      );
      const gateways = (n.IPAM?.Config ?? [])
        .map((c) => c.Gateway)
        .filter((g): g is string => typeof g === 'string' && g !== '');
      return { name: n.Name, id: n.Id, driver: n.Driver, labels: n.Labels ?? {}, gateways };
    } catch (error) {
      if (!isNotFound(error)) throw error instanceof EngineError ? error : new EngineError(engineMessage(error));
      const names = await this.networkNames();
      throw new EngineError(
        `network "${name}" not found; networks on this engine: ${names.join(', ') || 'none'}. Use --network NAME (or tfmon up to create ${name})`,
        404,
      );
    }
  }

  async networkExists(name: string): Promise<boolean> {
    try {
      await this.call(() => this.get(`/networks/${enc(name)}`));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Ids of the containers (running or not) on the network, narrowed by labels, and of the cluster's
   * members (label tfmon.cluster=<network>) that were disconnected from it: a worker cut off its
   * network is the failure to show, not to hide. */
  async clusterContainerIds(network: string, labels: Record<string, string>): Promise<string[]> {
    const label = labelFilters(labels);
    const list = (filters: Record<string, string[]>) =>
      this.call(() => this.get<{ Id: string }[]>('/containers/json', { all: true, filters }));
    const [onNetwork, members] = await Promise.all([
      list({ network: [network], ...(label.length ? { label } : {}) }),
      list({ label: [...label, `${LABEL_CLUSTER}=${network}`] }),
    ]);
    return [...new Set([...onNetwork, ...members].map((c) => c.Id))];
  }

  /** Ids of containers carrying all these labels, wherever they are attached. */
  async containerIdsWithLabels(labels: Record<string, string>): Promise<string[]> {
    const list = await this.call(() =>
      this.get<{ Id: string }[]>('/containers/json', { all: true, filters: { label: labelFilters(labels) } }),
    );
    return list.map((c) => c.Id);
  }

  /** Facts about one container as seen from `network`; null when it is gone or not on that network
   * (and is neither labelled a member nor `named` by a TF_CONFIG of the cluster). */
  async inspect(id: string, network: NetworkInfo, named = false): Promise<ContainerFacts | null> {
    const raw = await this.inspectDoc(id);
    // `named`: a container some TF_CONFIG names, a member although it is not on the network now.
    if (!raw || (!named && !attachmentOf(raw, network) && !isMemberOf(raw, network.name))) return null;
    return factsFromInspect(raw, network);
  }

  /** GET /containers/{id}/json, the one inspect every method here shares; null when there is no
   * such container. */
  async inspectDoc(idOrName: string): Promise<InspectDoc | null> {
    try {
      return await this.call(() => this.get<InspectDoc>(`/containers/${enc(idOrName)}/json`));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** GET /images/{name}/json (what a container adds to its image is told from it); null when there
   * is no such image here. */
  async imageDoc(ref: string): Promise<unknown> {
    try {
      return await this.call(() => this.get<unknown>(`/images/${enc(ref)}/json`));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  followEvents(callbacks: EventsCallbacks): { close(): void } {
    return followEvents(
      // node: a manager's swarm nodes going down and up (no other engine sends them).
      (signal) => this.transport.stream('/events', { filters: { type: ['container', 'network', 'node'] } }, signal),
      callbacks,
    );
  }

  /** One streaming GET on a container (stats, logs) until close(); onEnd once it stops for any
   * reason, with the error or null. `options` become the query (docker-modem builds it). */
  private followStream(
    path: string,
    options: Record<string, unknown>,
    onData: (chunk: Buffer) => void,
    onEnd: (error: unknown) => void,
  ): { close(): void } {
    const controller = new AbortController();
    let ended = false;
    const end = (error: unknown): void => {
      if (ended) return;
      ended = true;
      onEnd(error);
    };
    this.transport.stream(path, options as Query, controller.signal).then((stream) => {
      stream.on('data', (chunk: Buffer) => {
        if (!ended) onData(chunk);
      });
      stream.on('error', end);
      stream.on('end', () => end(null));
      stream.on('close', () => end(null));
    }, end);
    return {
      close: () => {
        ended = true;
        controller.abort();
      },
    };
  }

  /** A container's logs as lines (both streams, with Docker's timestamps), following until close()
   * when `follow`; onEnd once it stops for any reason. `tty` says how the stream is framed. */
  followLogs(
    id: string,
    options: {
      tty: boolean;
      follow: boolean;
      tail: number | 'all';
      since?: number;
      partial?: (stream: LogStream, tail: string) => void;
    },
    onLine: LineSink,
    onEnd: (error: unknown) => void,
  ): { close(): void } {
    const decoder = new LogDecoder(options.tty, onLine, MAX_LINE, options.partial);
    const query = {
      stdout: true,
      stderr: true,
      timestamps: true,
      follow: options.follow,
      tail: String(options.tail),
      ...(options.since !== undefined ? { since: options.since } : {}),
    };
    return this.followStream(
      `/containers/${enc(id)}/logs`,
      query,
      (chunk) => decoder.push(chunk),
      (error) => {
        if (!error) decoder.end();
        onEnd(error);
      },
    );
  }

  /** The last lines of a container's logs, once (no stream left open). */
  readLogs(
    id: string,
    options: { tty: boolean; tail: number | 'all'; since?: number },
  ): Promise<{ stream: LogStream; line: string; tail?: string }[]> {
    return this.call(
      () =>
        new Promise((resolve, reject) => {
          const lines: { stream: LogStream; line: string; tail?: string }[] = [];
          this.followLogs(
            id,
            { ...options, follow: false },
            (stream, line, tail) => lines.push({ stream, line, ...(tail !== undefined ? { tail } : {}) }),
            (error) => {
              if (error) reject(error instanceof Error ? error : new Error(String(error)));
              else resolve(lines);
            },
          );
        }),
    );
  }

  /** One stats stream (a sample about every second) until close(); onEnd once it stops for any reason. */
  followStats(id: string, onSample: (json: unknown) => void, onEnd: (error: unknown) => void): { close(): void } {
    const splitter = new LineSplitter();
    return this.followStream(
      `/containers/${enc(id)}/stats`,
      { stream: true },
      (chunk) =>
        splitter.push(chunk, (line) => {
          try {
            onSample(JSON.parse(line) as unknown);
          } catch {
            // a malformed line is skipped; the next one is a whole sample again
          }
        }),
      onEnd,
    );
  }

  /** A long-lived process in a container (sessions.ts). */
  openSession(id: string, argv: string[]): Promise<ExecSession> {
    return this.call(() => openExecSession(this.transport, id, argv));
  }

  /** A process in a helper container on `id`'s network namespace, for nodes without a shell (sessions.ts). */
  openHelperSession(id: string, image: string, argv: string[], labels: Record<string, string>): Promise<ExecSession> {
    return this.call(() => openHelperSession(this.transport, id, image, argv, labels));
  }

  /** Swarm node ids → host names (a manager answers; elsewhere an empty map). */
  async swarmNodes(): Promise<Map<string, SwarmNodeInfo>> {
    try {
      const list = await this.call(() =>
        this.get<{ ID?: string; Description?: { Hostname?: string }; Status?: { State?: string } }[]>('/nodes'),
      );
      return new Map(
        list
          .filter((n) => n.ID)
          .map((n) => [n.ID!, { name: n.Description?.Hostname ?? n.ID!, state: n.Status?.State ?? 'unknown' }]),
      );
    } catch {
      return new Map();
    }
  }

  /** Tasks of the swarm with their service's name (a manager answers; else none). */
  async swarmTasks(): Promise<{ task: unknown; service: string }[]> {
    try {
      const [tasks, services] = await Promise.all([
        // Every task the manager keeps, the replaced ones too (its task history, 5 a slot by default):
        // the current one of each slot is shown, the others say what happened to it before.
        this.call(() => this.get<{ ServiceID?: string }[]>('/tasks')),
        this.call(() => this.get<{ ID: string; Spec?: { Name?: string } }[]>('/services')),
      ]);
      const names = new Map(services.map((s) => [s.ID, s.Spec?.Name ?? s.ID]));
      return tasks.map((task) => ({ task, service: names.get(task.ServiceID ?? '') ?? task.ServiceID ?? '' }));
    } catch {
      return [];
    }
  }

  async createNetwork(name: string, labels: Record<string, string>): Promise<void> {
    const docker = await this.api();
    await this.call(() => docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: labels }));
  }

  async removeNetwork(name: string): Promise<void> {
    const docker = await this.api();
    await this.call(() => docker.getNetwork(name).remove());
  }
}
