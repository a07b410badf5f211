// A snapshot read from a file, made safe to draw: every string (keys too) through the sanitizer,
// the fields the screen and the commands walk given their shape (a missing or mistyped one takes
// its empty value), nodes without a name, id and state left out. What is deeper (a node's ports, a
// usage figure) is not checked one by one: replay draws each second inside an error boundary.
import type { NodeView, Snapshot } from '../cluster/types.js';
import { sanitize } from '../text/sanitize.js';
import type { Json } from './patch.js';

/** Every string of a value (keys too) through the sanitizer. */
export function sanitized(v: Json): Json {
  if (typeof v === 'string') return sanitize(v);
  if (Array.isArray(v)) return v.map(sanitized);
  if (v !== null && typeof v === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) {
      Object.defineProperty(out, sanitize(k), {
        value: sanitized(x),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return v;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const objectOr = <T>(v: unknown, empty: T): T => (isObject(v) ? (v as T) : empty);
const arrayOr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const stringOr = (v: unknown, empty: string | null): string | null => (typeof v === 'string' ? v : empty);

function nodeOf(v: unknown): NodeView | null {
  if (!isObject(v) || typeof v['id'] !== 'string' || typeof v['name'] !== 'string') return null;
  if (typeof v['state'] !== 'string') return null;
  const n = v as unknown as NodeView;
  return {
    ...n,
    dnsName: typeof v['dnsName'] === 'string' ? (v['dnsName'] as string) : n.name,
    role: typeof v['role'] === 'string' ? n.role : 'unknown',
    index: typeof v['index'] === 'number' ? n.index : null,
    restarts: typeof v['restarts'] === 'number' ? n.restarts : 0,
    labels: objectOr(v['labels'], {}),
    networks: arrayOr(v['networks']),
    ports: arrayOr(v['ports']),
    mounts: arrayOr(v['mounts']),
    command: arrayOr(v['command']),
    frameworkEnv: objectOr(v['frameworkEnv'], {}),
  } as NodeView;
}

/** The snapshot a recording holds, sanitized and shaped; null when it is not one at all. */
export function asSnapshot(v: Json): Snapshot | null {
  const s = sanitized(v);
  if (!isObject(s) || !Array.isArray(s['nodes'])) return null;
  const probe = isObject(s['probe']) && s['probe']['on'] === true ? s['probe'] : { on: false };
  const engine = objectOr<Record<string, unknown>>(s['engine'], {});
  const network = objectOr<Record<string, unknown>>(s['network'], {});
  return {
    ...(s as unknown as Snapshot),
    engine: {
      host: stringOr(engine['host'], '?') as string,
      version: stringOr(engine['version'], null),
      swarm: engine['swarm'] === true,
    },
    engineError: stringOr(s['engineError'], null),
    network: {
      name: stringOr(network['name'], '?') as string,
      id: stringOr(network['id'], null),
      driver: stringOr(network['driver'], null),
    },
    nodes: (s['nodes'] as unknown[]).map(nodeOf).filter((n): n is NodeView => n !== null),
    problems: arrayOr<Record<string, unknown>>(s['problems']).filter(
      (p): p is Record<string, unknown> =>
        isObject(p) && typeof p['code'] === 'string' && typeof p['message'] === 'string',
    ) as unknown as Snapshot['problems'],
    usage: objectOr(s['usage'], {}),
    usageSource: s['usageSource'] === 'cgroup' || s['usageSource'] === 'api' ? s['usageSource'] : null,
    host: isObject(s['host']) ? (s['host'] as unknown as Snapshot['host']) : null,
    gpus: Array.isArray(s['gpus']) ? (s['gpus'] as unknown as Snapshot['gpus']) : null,
    gpuByContainer: objectOr(s['gpuByContainer'], {}),
    gpuNote: stringOr(s['gpuNote'], null),
    reachability: arrayOr<unknown>(s['reachability']).filter(isObject) as unknown as Snapshot['reachability'],
    listeners: objectOr(s['listeners'], {}),
    probe: probe as Snapshot['probe'],
    training: objectOr(s['training'], {}),
    clusterTraining: isObject(s['clusterTraining'])
      ? (s['clusterTraining'] as unknown as Snapshot['clusterTraining'])
      : null,
    ready: s['ready'] !== false,
    updatedAt: typeof s['updatedAt'] === 'number' ? s['updatedAt'] : 0,
  };
}
