// Which engine to talk to and how. With engine.ts, the only code that knows dockerode / docker-modem.
import Modem from 'docker-modem';
import { EngineError } from './errors.js';

export const DEFAULT_HOST = 'unix:///var/run/docker.sock';

/** --host beats DOCKER_HOST beats the default socket, as with the docker CLI. */
export function resolveHost(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const host = flag || env['DOCKER_HOST'] || DEFAULT_HOST;
  return host.startsWith('/') ? `unix://${host}` : host;
}

/** The transport dockerode itself uses. tfmon reads through it directly and loads dockerode only
 * for actions: dockerode's import pulls in gRPC for BuildKit and costs ~150 ms at every start. */
export function modemFor(host: string): Modem {
  if (host.startsWith('unix://')) return new Modem({ socketPath: host.slice('unix://'.length) });
  if (host.startsWith('npipe://')) return new Modem({ socketPath: host.slice('npipe://'.length) });
  const m = /^(tcp|http|https):\/\/([^:/]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(host);
  if (m && m[2] !== undefined) {
    const tls = m[1] === 'https' || process.env['DOCKER_TLS_VERIFY'] === '1';
    return new Modem({ host: m[2], port: Number(m[3] ?? (tls ? 2376 : 2375)), protocol: tls ? 'https' : 'http' });
  }
  throw new EngineError(`unsupported Docker host "${host}": use unix:///path/to/docker.sock or tcp://host:port`);
}
