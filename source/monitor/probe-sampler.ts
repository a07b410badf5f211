// Reachability rounds: one long-lived probe session per node that probes (one exec, reopened when
// the node restarts), a round every interval, at once for the pairs an event touched, and on demand.
// Rounds run one after another from one queue (a request of a kind already queued joins it), so two
// rounds never share a session; sessions (probe-session.ts) also take one request at a time and check
// that every answer names its target. Which pairs, and who resolves names for whom, is
// probe-plan.ts's: TensorFlow's pairs in the steady state, every pair while the matrix is on screen.
// A node whose image has no shell is probed from a helper container sharing its network namespace;
// what cannot be probed at all is reported unprobed with the reason.
// Over 300 lines because a round, its sessions and their failure modes (a cut session, an image with
// no shell, a helper, a late answer) are one state machine; the plan and the script are pure, elsewhere.
import { PROBE_SCRIPT, type ProbeResult } from '../cluster/probe.js';
import { capPairs, pairKey, probePlan, type ProbePlan, type ProbeScope } from '../cluster/probe-plan.js';
import { DEFAULT_TF_PORT, entriesOf, unprobed, type ReachEntry, type Target } from '../cluster/reach.js';
import type { NodeView } from '../cluster/types.js';
import type { ExecSource } from '../engine/needs.js';
import { mapLimit } from './map-limit.js';
import { EngineError, engineMessage } from '../engine/errors.js';
import { checkListener, type Listener } from './listen-check.js';
import { clusterHasPs, servesTf } from '../cluster/probe-plan.js';
import { SIM_REPO } from '../engine/sim-image.js';
import { compareText } from '../cluster/order.js';
import { ProbeSession, type ProbeAnswer } from './probe-session.js';

const PARALLEL = 8;
const ARGV = ['sh', '-c', PROBE_SCRIPT, 'tfmon-probe'];
/** What the engine prints when the image has no sh: runc's words about the executable itself
 * (`exec: "sh": executable file not found in $PATH`). Not any "OCI runtime exec failed": that is also
 * what an exec racing a stopping container gets, and such a node has a shell. */
const NO_SHELL = /"sh": (?:executable file not found|no such file or directory)/;

export interface ProbeOptions {
  intervalMs: number;
  /** Image for helper containers (needs sh); null: a local tfmon-sim image, if there is one. */
  helperImage?: string | null;
  /** --probe-all: every pair in every round, not only the pairs TensorFlow uses. */
  all?: boolean;
}

/** A name as one group's resolver saw it. */
interface Resolved {
  dns: ProbeResult['dns'];
  ip: string | null;
  tools: string;
}

/** Touches that arrive together (create, connect, start) make one round. */
const TOUCH_DELAY_MS = 100;
/** Where tfmon's host checks the listeners (every interval), the in-node round runs every this many
 * intervals: a safety net for what sends no event and no listener check sees (DNS, a link). */
const STEADY_EVERY = 6;
/** A steady round's connects per probing node (capPairs): all-to-all clusters rotate through their pairs. */
const PAIRS_PER_SOURCE = 4;
const keyOf = (e: Pick<ReachEntry, 'from' | 'to' | 'port'>): string => pairKey(e.from, { host: e.to, port: e.port });

/** The kinds of round the queue holds: a steady or full round, or the round of the pairs touched. */
type RoundKind = ProbeScope | 'touch';

const cutOff = (from: string, targets: readonly Target[]): ReachEntry[] =>
  targets.map((t) => ({
    from,
    to: t.host,
    port: t.port,
    dns: 'error',
    ip: null,
    tcp: 'skipped',
    ms: null,
    reason: `${from} is not on the cluster's network`,
    tools: null,
  }));

export class ProbeSampler {
  private readonly sessions = new Map<string, ProbeSession>();
  /** Sessions being opened, by node id: a second caller waits for the same one. */
  private readonly opening = new Map<string, Promise<ProbeSession | string>>();
  /** Nodes whose image cannot run the probe (no sh), with the start it was found for: a container
   * started again (its image may have changed under the same id) is asked again. */
  private readonly noShell = new Map<string, string | null>();
  private helperRef: Promise<string | null> | null = null;
  /** The latest result of every pair probed, by pair; `sorted` is the same as a stable array. */
  private readonly entries = new Map<string, ReachEntry>();
  private sorted: ReachEntry[] = [];
  /** The end of the last round queued: the next one starts after it. */
  private tail: Promise<void> = Promise.resolve();
  /** Rounds queued and not started, by kind: a request of the same kind joins one. */
  private readonly queued = new Map<RoundKind, Promise<void>>();
  /** The round running now. */
  private current: { kind: RoundKind; done: Promise<void> } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  /** After stop, a round still in flight opens nothing more: a session opened then would outlive tfmon's view. */
  private stopped = false;
  /** The matrix is on screen: every pair, not only TensorFlow's. */
  private fullView = false;
  /** Nodes changed by an event since the last round: their pairs go first. */
  private readonly touched = new Set<string>();
  private touchTimer: NodeJS.Timeout | null = null;
  /** Execs (and helper containers) created over the sampler's life: once up, a round creates none. */
  execsCreated = 0;
  lastRoundMs: number | null = null;
  /** Pairs the last round probed (for the bench and the tests). */
  lastRoundPairs = 0;
  /** Each task's TF port as tfmon's host sees it, by node id (host checks only). */
  private listenersById: Record<string, Listener> = {};
  private ticks = 0;
  private steadyRounds = 0;

  /** `hostReaches`: tfmon's host routes to the nodes' addresses (a local engine, a bridge network):
   * listeners are checked from here, and in-node rounds run every STEADY_EVERY intervals. */
  constructor(
    private readonly engine: ExecSource,
    private readonly nodes: () => readonly NodeView[],
    private readonly onChange: () => void,
    private readonly options: Pick<ProbeOptions, 'helperImage' | 'all'> = {},
    private readonly hostReaches: () => boolean = () => false,
  ) {}

  /** Each task's TF port checked from tfmon's host, by node id; the same object until one changes. */
  get listeners(): Readonly<Record<string, Listener>> {
    return this.listenersById;
  }

  /** Probe sessions open now: one per probing node once a round has run, none for a node gone. */
  get openSessions(): number {
    return this.sessions.size;
  }

  get reachability(): ReachEntry[] {
    return this.sorted;
  }

  /** The steady rounds' scope: TensorFlow's pairs, or all of them (the matrix on screen, --probe-all). */
  get scope(): ProbeScope {
    return this.options.all || this.fullView ? 'all' : 'tf';
  }

  start(intervalMs: number): void {
    this.started = true;
    void this.round();
    void this.checkListeners();
    this.timer = setInterval(() => this.tick(), intervalMs);
  }

  private tick(): void {
    this.ticks++;
    const host = this.hostReaches();
    if (host) void this.checkListeners();
    if (!host || this.scope === 'all' || this.ticks % STEADY_EVERY === 0) void this.round();
  }

  /** The TF port of every task that serves one (or of `only`), from tfmon's host. */
  async checkListeners(only: ReadonlySet<string> | null = null): Promise<void> {
    if (!this.hostReaches() || this.stopped) return;
    const nodes = this.nodes();
    const hasPs = clusterHasPs(nodes);
    const due = nodes.filter(
      (n) =>
        n.state === 'running' && n.attached && n.ip && !n.remote && servesTf(n, hasPs) && (!only || only.has(n.id)),
    );
    const results = await Promise.all(
      due.map((n) => checkListener(n.ip!, n.port ?? DEFAULT_TF_PORT).then((l) => [n.id, l] as const)),
    );
    if (this.stopped) return;
    const next: Record<string, Listener> = only ? { ...this.listenersById } : {};
    for (const [id, l] of results) next[id] = l;
    for (const id of Object.keys(next)) if (!nodes.some((n) => n.id === id && n.state === 'running')) delete next[id];
    const same =
      Object.keys(next).length === Object.keys(this.listenersById).length &&
      Object.entries(next).every(
        ([id, l]) =>
          this.listenersById[id]?.state === l.state &&
          this.listenersById[id]?.port === l.port &&
          this.listenersById[id]?.ip === l.ip,
      );
    if (same) return;
    this.listenersById = next;
    this.onChange();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.touchTimer) clearTimeout(this.touchTimer);
    this.timer = null;
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
  }

  /** The matrix opened (every pair, a round at once) or closed (back to TensorFlow's pairs). */
  setFullView(on: boolean): void {
    if (this.fullView === on) return;
    this.fullView = on;
    if (on && this.started) void this.round('all');
  }

  /** Nodes that started, stopped, restarted, or were attached or detached: their pairs are probed
   * at once instead of at the next round. */
  touch(ids: readonly string[]): void {
    if (!this.started || this.stopped || ids.length === 0) return;
    for (const id of ids) this.touched.add(id);
    this.touchTimer ??= setTimeout(() => {
      this.touchTimer = null;
      void this.enqueue('touch', () => this.touchRound());
    }, TOUCH_DELAY_MS);
  }

  /** The pairs of the nodes touched until it starts (touches while it waits join it). */
  private async touchRound(): Promise<void> {
    if (this.touched.size === 0) return;
    const ids = new Set(this.touched);
    this.touched.clear();
    void this.checkListeners(ids);
    await this.runRound(probePlan(this.nodes(), this.scope, ids, !this.hostReaches()), true);
  }

  /** One round over the scope's pairs (default: the steady scope). A call while a round of the same
   * scope runs joins it, as does one while such a round waits in the queue; else it is queued. */
  round(scope: ProbeScope = this.scope): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.current?.kind === scope) return this.current.done;
    return this.enqueue(scope, async () => {
      const full = probePlan(this.nodes(), scope, null, !this.hostReaches());
      // Every pair when asked for every pair (the matrix, p, --probe-all); a moving window otherwise.
      const plan = scope === 'all' ? { ...full, planned: null } : capPairs(full, this.steadyRounds++, PAIRS_PER_SOURCE);
      await this.runRound(plan, false);
    });
  }

  /** Runs `run` after every round queued before it: one round at a time, by construction. */
  private enqueue(kind: RoundKind, run: () => Promise<void>): Promise<void> {
    const waiting = this.queued.get(kind);
    if (waiting !== undefined) return waiting;
    const done: Promise<void> = this.tail.then(async () => {
      this.queued.delete(kind);
      if (this.stopped) return;
      this.current = { kind, done };
      try {
        await run();
      } finally {
        this.current = null;
      }
    });
    this.queued.set(kind, done);
    this.tail = done.catch(() => undefined);
    return done;
  }

  /** `plan.planned`: a capped round's every pair (its other pairs' results stay until their turn). */
  private async runRound(plan: ProbePlan & { planned?: Set<string> | null }, partial: boolean): Promise<void> {
    const started = Date.now();
    const nodes = this.nodes();
    const running = nodes.filter((n) => n.state === 'running');
    // Sessions of nodes that stopped, left or restarted are closed; new ones open on demand.
    for (const [id, s] of this.sessions) {
      const n = running.find((x) => x.id === id);
      if (!n || (n.pid !== null && s.pid !== null && n.pid !== s.pid)) this.drop(id, s);
    }
    // A node gone, or started again since its image was found shell-less, is asked again.
    for (const [id, startedAt] of this.noShell)
      if (!nodes.some((n) => n.id === id && n.startedAt === startedAt)) this.noShell.delete(id);

    // Names first: one resolver per group of nodes on the same networks, all groups at once.
    const resolved = new Map<string, Map<string, Resolved> | string>();
    const resolvedBy = new Map<string, NodeView>();
    await Promise.all(
      plan.groups.map(async (g) => {
        if (!g.resolver || g.names.length === 0) return;
        // A member that cannot be probed (no shell, no helper) leaves the lookups to the next one;
        // one whose session is open already goes first.
        const candidates = [g.resolver, ...g.fallbacks].sort(
          (a, b) => Number(this.sessions.has(b.id)) - Number(this.sessions.has(a.id)),
        );
        let answer: Map<string, Resolved> | string = `no member of ${g.key} could look the names up`;
        for (const c of candidates) {
          answer = await this.resolve(c, g.names);
          resolvedBy.set(g.key, c);
          if (typeof answer !== 'string') break;
        }
        resolved.set(g.key, answer);
      }),
    );
    const groupOf = new Map(plan.groups.flatMap((g) => g.members.map((id) => [id, g.key] as const)));

    const results: ReachEntry[][] = [];
    // Names no pair covers: their lookup is the check.
    for (const g of plan.groups) {
      if (!g.resolver || g.dnsOnly.length === 0) continue;
      const names = resolved.get(g.key);
      const by = resolvedBy.get(g.key) ?? g.resolver;
      if (names === undefined || typeof names === 'string') {
        results.push(unprobed(by.name, g.dnsOnly, names ?? `no lookup in ${g.key} in this round`));
        continue;
      }
      results.push(
        entriesOf(
          by.name,
          g.dnsOnly,
          g.dnsOnly.map((t) => {
            const r = names.get(t.host);
            return r
              ? { host: t.host, port: t.port, dns: r.dns, ip: r.ip, tcp: 'skipped', ms: null, tools: r.tools }
              : undefined;
          }),
        ),
      );
    }
    results.push(
      ...(await mapLimit(plan.sources, PARALLEL, (s) => {
        const names = resolved.get(groupOf.get(s.node.id) ?? '');
        return this.probeFrom(s.node, s.targets, names === undefined || typeof names === 'string' ? null : names);
      })),
    );

    // A full round's plan is what the matrix now holds; a partial one updates its pairs only.
    if (!partial && plan.planned) {
      for (const key of this.entries.keys()) if (!plan.planned.has(key)) this.entries.delete(key);
    } else if (!partial) this.entries.clear();
    const probing = new Set(running.map((n) => n.name));
    for (const [key, e] of this.entries) if (!probing.has(e.from)) this.entries.delete(key);
    for (const e of results.flat()) this.entries.set(keyOf(e), e);
    this.sorted = [...this.entries.values()].sort(
      (a, b) => compareText(a.from, b.from) || compareText(a.to, b.to) || a.port - b.port,
    );
    this.lastRoundPairs = plan.sources.reduce((n, s) => n + s.targets.length, 0);
    this.lastRoundMs = Date.now() - started;
    this.onChange();
  }

  /** The group's names as its resolver sees them, or why it could not say (each node then resolves
   * for itself). */
  private async resolve(resolver: NodeView, names: readonly string[]): Promise<Map<string, Resolved> | string> {
    if (!resolver.attached) return `${resolver.name} is not on the cluster's network`;
    const answer = await this.exchange(
      resolver,
      names.map((host) => ({ host, port: 0 })),
    );
    if (typeof answer === 'string') return answer;
    const out = new Map<string, Resolved>();
    names.forEach((host, i) => {
      const r = answer[i];
      if (r) out.set(host, { dns: r.dns, ip: r.ip, tools: r.tools });
    });
    return out;
  }

  private drop(id: string, s: ProbeSession): void {
    s.close();
    if (this.sessions.get(id) === s) this.sessions.delete(id);
  }

  /** The helper image: the one asked for when present locally, else a local tfmon-sim. */
  private helperImage(): Promise<string | null> {
    this.helperRef ??= (async () => {
      try {
        const asked = this.options.helperImage;
        if (asked) return (await this.engine.images.imageExists(asked)) ? asked : null;
        return await this.engine.images.localImageOf(SIM_REPO);
      } catch {
        // The engine did not answer: ask again next time rather than remember "none".
        this.helperRef = null;
        return null;
      }
    })();
    return this.helperRef;
  }

  /** The node's open session, or a new one (an exec, or a helper where its image has no shell);
   * callers that ask while one is being opened get that one. */
  private session(node: NodeView): Promise<ProbeSession | string> {
    const open = this.sessions.get(node.id);
    if (open?.open) return Promise.resolve(open);
    let opening = this.opening.get(node.id);
    if (!opening) {
      opening = this.open(node, this.noShell.has(node.id) ? 'helper' : 'exec').finally(() =>
        this.opening.delete(node.id),
      );
      this.opening.set(node.id, opening);
    }
    return opening;
  }

  private async open(node: NodeView, via: ProbeSession['via']): Promise<ProbeSession | string> {
    try {
      const exec = via === 'exec' ? await this.engine.openSession(node.id, ARGV) : await this.openHelper(node);
      if (typeof exec === 'string') return exec;
      this.execsCreated++;
      if (this.stopped) {
        exec.close();
        return `${node.name}: tfmon is stopping`;
      }
      const s: ProbeSession = new ProbeSession(exec, via, node.pid, () => {
        if (this.sessions.get(node.id) === s) this.sessions.delete(node.id);
      });
      this.sessions.get(node.id)?.close();
      this.sessions.set(node.id, s);
      return s;
    } catch (error) {
      const why = error instanceof EngineError ? error.message : engineMessage(error);
      return `cannot run the probe ${via === 'helper' ? 'helper for' : 'in'} ${node.name}: ${why}`;
    }
  }

  private async openHelper(node: NodeView): Promise<Awaited<ReturnType<ExecSource['openHelperSession']>> | string> {
    const image = await this.helperImage();
    if (!image) {
      const asked = this.options.helperImage;
      return asked
        ? `${node.name} has no shell to probe from, and --probe-image ${asked} is not present locally`
        : `${node.name} has no shell to probe from; --probe-image IMAGE (any local image with sh) probes it from a helper`;
    }
    // The helper carries the node's test label, so a test run's cleanup finds it too.
    const labels: Record<string, string> = { 'tfmon.probe-helper': node.id };
    if (node.labels['tfmon.test']) labels['tfmon.test'] = node.labels['tfmon.test'];
    return this.engine.openHelperSession(node.id, image, ARGV, labels);
  }

  /** Sends targets to the node's probe (opening its session, or a helper's when the image has no
   * shell) and returns its answers in order (a prefix when it stopped answering), or why it could
   * not be probed. */
  private async exchange(node: NodeView, targets: Target[]): Promise<ProbeResult[] | string> {
    let session = await this.session(node);
    if (typeof session === 'string') return session;
    let answer: ProbeAnswer = await session.ask(targets);
    if (
      answer.kind === 'ended' &&
      answer.results.length === 0 &&
      session.via === 'exec' &&
      NO_SHELL.test(answer.text)
    ) {
      // The exec died saying it found no sh: the image has none (the engine's message is what it
      // printed). Next: a helper sharing the node's network namespace, until the node starts again.
      this.drop(node.id, session);
      this.noShell.set(node.id, node.startedAt);
      session = await this.session(node);
      if (typeof session === 'string') return session;
      answer = await session.ask(targets);
    }
    if (answer.kind === 'complete') return answer.results;
    this.drop(node.id, session);
    if (answer.kind === 'mismatch')
      return `the probe ${session.via === 'helper' ? 'helper of' : 'in'} ${node.name} answered for other targets than asked: its session was reopened`;
    if (answer.results.length > 0) return answer.results;
    if (answer.kind === 'timeout')
      return `the probe did not answer ${session.via === 'helper' ? 'in the helper of' : 'in'} ${node.name}`;
    // Not the image: the session was cut (the engine went away, the node stopped). Next round.
    return `the probe session ${session.via === 'helper' ? 'of the helper of' : 'in'} ${node.name} ended before answering (the engine or the node went away)`;
  }

  /** `names`: the group's names as its resolver saw them; a target whose name resolved is connected
   * to by address, one that did not is not tried again from here. Without them, the node resolves. */
  private async probeFrom(
    node: NodeView,
    targets: Target[],
    names: Map<string, Resolved> | null,
  ): Promise<ReachEntry[]> {
    if (targets.length === 0) return [];
    // Cut off the cluster's network: every lookup would wait for a DNS server that cannot answer.
    if (!node.attached) return cutOff(node.name, targets);
    if (node.remote)
      return unprobed(
        node.name,
        targets,
        `${node.dnsName} runs on another swarm node${node.swarmNode ? ` (${node.swarmNode})` : ''}: probes run from the engine tfmon talks to (add --host for that node)`,
      );
    const known = (t: Target): Resolved | undefined => names?.get(t.host);
    const send = targets
      .filter((t) => known(t)?.dns !== 'nxdomain' && known(t)?.dns !== 'error')
      .map((t) => ({ target: t, line: { host: known(t)?.ip ?? t.host, port: t.port } }));
    const answer = send.length
      ? await this.exchange(
          node,
          send.map((s) => s.line),
        )
      : [];
    if (typeof answer === 'string') return unprobed(node.name, targets, answer);
    const byTarget = new Map(send.map((s, i) => [s.target, answer[i]] as const));
    const results = targets.map((t): ProbeResult | undefined => {
      const name = known(t);
      if (name && name.dns !== 'ok')
        return { host: t.host, port: t.port, dns: name.dns, ip: null, tcp: 'skipped', ms: null, tools: name.tools };
      const r = byTarget.get(t);
      if (!r || !name) return r;
      // Resolved by the group's resolver, connected to from here: both tools in the record.
      return {
        ...r,
        host: t.host,
        dns: name.dns,
        ip: name.ip,
        tools: `${name.tools}+${r.tools.split('+')[1] ?? r.tools}`,
      };
    });
    return entriesOf(node.name, targets, results);
  }
}
