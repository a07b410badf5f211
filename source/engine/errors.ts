// Engine failures turned into one line a person can act on. No stack traces reach the user.
import type { Endpoint } from './endpoint.js';

export class EngineError extends Error {
  constructor(message: string, readonly statusCode: number | null = null) {
    super(message);
  }
}

interface ErrnoLike {
  code?: string;
  statusCode?: number;
  message?: string;
  json?: { message?: string } | null;
  reason?: string;
}

const asErrno = (e: unknown): ErrnoLike => (typeof e === 'object' && e !== null ? (e as ErrnoLike) : {});

export const statusOf = (e: unknown): number | null => asErrno(e).statusCode ?? null;
export const isNotFound = (e: unknown): boolean => statusOf(e) === 404;

/** The engine's own message for an API error (dockerode puts it in .json.message). */
export function engineMessage(e: unknown): string {
  const err = asErrno(e);
  const fromJson = err.json && typeof err.json === 'object' ? err.json.message : undefined;
  const text = fromJson ?? err.message ?? String(e);
  return text.replace(/^\(HTTP code \d+\)\s*[\w ]*-\s*/, '').trim();
}

/** Why the engine at `host` could not be reached, as one line with what to do. */
export function describeConnectError(e: unknown, host: string): string {
  const err = asErrno(e);
  const socket = host.startsWith('unix://') ? host.slice('unix://'.length) : null;
  switch (err.code) {
    case 'ENOENT':
      return socket
        ? `no Docker engine at ${host}: ${socket} does not exist. Start dockerd (or Docker Desktop), or point DOCKER_HOST / --host at a running engine`
        : `no Docker engine at ${host}`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied on ${socket ?? host}: add your user to the docker group (sudo usermod -aG docker $USER, then log in again) or run tfmon with sudo`;
    case 'ECONNREFUSED':
      return socket
        ? `the Docker socket ${socket} refuses connections: dockerd is not running (start it, or set DOCKER_HOST)`
        : `the Docker engine at ${host} refused the connection: is it running, and is DOCKER_HOST right?`;
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot reach the Docker engine at ${host} (${err.code}): check DOCKER_HOST / --host and the network`;
    default:
      break;
  }
  if (err.statusCode) return `the Docker engine at ${host} answered HTTP ${err.statusCode}: ${engineMessage(e)}`;
  return `cannot reach the Docker engine at ${host}: ${engineMessage(e)}`;
}

export const unsupportedHost = (endpoint: Endpoint): EngineError =>
  new EngineError(`unsupported Docker host "${endpoint.host}" (${endpoint.source}): use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host`);
