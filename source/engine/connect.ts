// docker-modem for an endpoint: the transport dockerode needs for actions (create, exec, restart…).
// Loaded only when one of those is used.
import Modem from 'docker-modem';
import type { Agent } from 'node:http';
import { inspect } from 'node:util';
import { unsupportedHost } from './errors.js';
import { DEFAULT_HOST, type Endpoint } from './endpoint.js';

export { DEFAULT_HOST };

/** docker-modem formats every request's options with util.inspect (showHidden, no depth limit) for a
 * debug line, even when debugging is off: an agent in them would be walked whole, sockets and all,
 * at every request (1.4 s of CPU in one bench run). Its inspection is one word instead. */
export function quietAgent<A extends Agent>(agent: A): A {
  Object.defineProperty(agent, inspect.custom, { value: () => 'EnginePool' });
  return agent;
}

/** `agent`: a keep-alive pool the engine owns and ends on close (a local socket, or the SSH
 * tunnel's channels; a TLS transport keeps docker-modem's own, whose options it builds itself). */
export function modemFor(endpoint: Endpoint, agent?: Agent): Modem {
  const { host, tls } = endpoint;
  const pool = agent ? { agent: quietAgent(agent) } : {};
  if (host.startsWith('unix://'))
    return new Modem({ socketPath: host.slice('unix://'.length), ...pool } as Modem.ConstructorOptions);
  if (host.startsWith('npipe://'))
    return new Modem({ socketPath: host.slice('npipe://'.length), ...pool } as Modem.ConstructorOptions);
  // ssh://: the agent's connections are channels of the engine's one SSH login (ssh-tunnel.ts).
  if (host.startsWith('ssh://') && agent)
    return new Modem({ socketPath: 'ssh-tunnel', ...pool } as Modem.ConstructorOptions);
  const m = /^(tcp|http|https):\/\/([^:/]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(host);
  if (m && m[2] !== undefined) {
    const secure = m[1] === 'https' || tls !== null;
    return new Modem({
      host: m[2],
      port: Number(m[3] ?? (secure ? 2376 : 2375)),
      protocol: secure ? 'https' : 'http',
      ...(tls?.ca ? { ca: tls.ca } : {}),
      ...(tls?.cert ? { cert: tls.cert } : {}),
      ...(tls?.key ? { key: tls.key } : {}),
    } as Modem.ConstructorOptions);
  }
  throw unsupportedHost(endpoint);
}
