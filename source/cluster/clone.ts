// A container's create request rebuilt from its inspect: for `+` (a new worker cloned from the
// highest-index one, or a PyTorch job's new rank), for applying a new TF_CONFIG and for a job's new
// world size (the same node recreated). Pure.
import { arr, obj, str, type Json } from './json.js';
import { LABEL_INDEX } from './role.js';

export interface CloneOptions {
  name: string;
  network: string;
  /** Variables set anew (TF_CONFIG; RANK, WORLD_SIZE…); the rest of the environment is kept as it is. */
  env: Record<string, string>;
  /** The new task index, written to the tfmon.index label when there is one. */
  index: number;
  /** Host port for each published one (the clone's shift to free ports); identity when recreating. */
  hostPort: (port: number) => number;
  /** Keep a fixed IP address (recreate); a clone must not take its source's. */
  keepAddress: boolean;
}

/** Fields of Config that describe what runs; Hostname, Domainname and the attach flags are not. */
const CONFIG_KEYS = [
  'Image',
  'Cmd',
  'Entrypoint',
  'WorkingDir',
  'User',
  'ExposedPorts',
  'Tty',
  'OpenStdin',
  'StdinOnce',
  'StopSignal',
  'StopTimeout',
  'Healthcheck',
  'Volumes',
  'Shell',
  'OnBuild',
  'ArgsEscaped',
];

export function withEnv(env: readonly unknown[], name: string, value: string): string[] {
  const out = env.map(String).filter((e) => !e.startsWith(`${name}=`));
  out.push(`${name}=${value}`);
  return out;
}

/** The next name in a worker series: "tf-worker-1" → "tf-worker-2"; otherwise "<name>-<index>". */
export function nextName(source: string, sourceIndex: number | null, index: number): string {
  const m = /^(.*?)(\d+)$/.exec(source);
  if (m && sourceIndex !== null && Number(m[2]) === sourceIndex) return `${m[1]}${index}`;
  return `${source}-${index}`;
}

/** The POST /containers/create body. */
export function cloneBody(inspect: unknown, o: CloneOptions): Record<string, unknown> {
  const c = obj(inspect);
  const config = obj(c['Config']);
  const host = obj(c['HostConfig']);
  const oldName = (str(c['Name']) ?? '').replace(/^\//, '');
  const body: Record<string, unknown> = {};
  for (const k of CONFIG_KEYS) if (config[k] !== undefined && config[k] !== null) body[k] = config[k];
  body['Env'] = Object.entries(o.env).reduce<readonly unknown[]>(
    (env, [k, v]) => withEnv(env, k, v),
    arr(config['Env']),
  );
  const labels: Record<string, string> = Object.fromEntries(
    Object.entries(obj(config['Labels'])).map(([k, v]) => [k, String(v)]),
  );
  if (LABEL_INDEX in labels) labels[LABEL_INDEX] = String(o.index);
  body['Labels'] = labels;
  // Docker names the host after the container id unless told; a host name that was the container's
  // own name follows the new name.
  if (str(config['Hostname']) === oldName) body['Hostname'] = o.name;

  const hostConfig: Json = { ...host };
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const [port, list] of Object.entries(obj(host['PortBindings']))) {
    bindings[port] = arr(list).map((b) => {
      const binding = obj(b);
      const hp = str(binding['HostPort']) ?? '';
      return { HostIp: str(binding['HostIp']) ?? '', HostPort: /^\d+$/.test(hp) ? String(o.hostPort(Number(hp))) : hp };
    });
  }
  hostConfig['PortBindings'] = bindings;
  body['HostConfig'] = hostConfig;

  const endpoint = obj(obj(obj(c['NetworkSettings'])['Networks'])[o.network]);
  const id = str(c['Id']) ?? '';
  // Docker adds the container's own name and short id as aliases: only the user's are carried over.
  const aliases = arr(endpoint['Aliases'])
    .map(String)
    .filter((a) => a !== oldName && !id.startsWith(a));
  const endpointConfig: Json = { Aliases: aliases };
  const ipam = obj(endpoint['IPAMConfig']);
  if (o.keepAddress && Object.keys(ipam).length) endpointConfig['IPAMConfig'] = ipam;
  body['NetworkingConfig'] = { EndpointsConfig: { [o.network]: endpointConfig } };
  hostConfig['NetworkMode'] = o.network;
  return body;
}

/** Published host ports of an inspect (for choosing free ones). */
export function hostPortsOf(inspect: unknown): number[] {
  const out: number[] = [];
  for (const list of Object.values(obj(obj(obj(inspect)['HostConfig'])['PortBindings']))) {
    for (const b of arr(list)) {
      const hp = str(obj(b)['HostPort']);
      if (hp && /^\d+$/.test(hp)) out.push(Number(hp));
    }
  }
  return out;
}
