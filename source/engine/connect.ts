// The transport to an engine. With engine.ts, the only code that knows dockerode / docker-modem;
// which engine it is comes from endpoint.ts (the docker CLI's rules, contexts included).
import Modem from 'docker-modem';
import type { Agent } from 'node:http';
import { EngineError } from './errors.js';
import { DEFAULT_HOST, type Endpoint } from './endpoint.js';

export { DEFAULT_HOST };

/** The transport dockerode itself uses. tfmon reads through it directly and loads dockerode only
 * for actions: dockerode's import pulls in gRPC for BuildKit and costs ~150 ms at every start. */
export function modemFor(endpoint: Endpoint, agent: Agent): Modem {
  const { host, tls } = endpoint;
  // A local socket gets the engine's own keep-alive pool (closed with it); a TLS or SSH transport
  // keeps docker-modem's own, whose options it builds itself.
  if (host.startsWith('unix://')) return new Modem({ socketPath: host.slice('unix://'.length), agent } as Modem.ConstructorOptions);
  if (host.startsWith('npipe://')) return new Modem({ socketPath: host.slice('npipe://'.length), agent } as Modem.ConstructorOptions);
  const ssh = /^ssh:\/\/(?:([^@/]+)@)?([^:/]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(host);
  if (ssh && ssh[2] !== undefined) {
    // docker-modem runs `docker system dial-stdio` over one SSH connection per request: tfmon keeps
    // its requests few and its streams long (PITFALLS).
    const agent = process.env['SSH_AUTH_SOCK'];
    return new Modem({
      protocol: 'ssh',
      host: ssh[2],
      port: Number(ssh[3] ?? 22),
      ...(ssh[1] ? { username: ssh[1] } : {}),
      ...(agent ? { sshOptions: { agent } } : {}),
    } as Modem.ConstructorOptions);
  }
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
  throw new EngineError(`unsupported Docker host "${host}" (${endpoint.source}): use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host`);
}
