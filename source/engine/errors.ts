// Engine failures turned into one line a person can act on. No stack traces reach the user.
import type { Endpoint } from './endpoint.js';

export class EngineError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null = null,
  ) {
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
  const tls = tlsFailure(err.code ?? '', host);
  if (tls) return tls;
  switch (err.code) {
    case 'ESSH':
      return err.message ?? `cannot reach the Docker engine at ${host} over SSH`; // already one line naming the host
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

const CERTS = 'the certificates come from DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) or the context';

/** A TLS handshake's failure (Node's and OpenSSL's codes) as what is wrong with which certificate. */
function tlsFailure(code: string, host: string): string | null {
  if (
    /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?)$/.test(
      code,
    )
  )
    return `the Docker engine at ${host} shows a certificate that tfmon's ca.pem did not sign (${code}): ${CERTS}`;
  if (code === 'CERT_HAS_EXPIRED')
    return `the Docker engine at ${host} shows an expired certificate: renew the engine's server certificate`;
  if (code === 'CERT_NOT_YET_VALID')
    return `the Docker engine at ${host} shows a certificate not valid yet: check the clocks of both machines`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the Docker engine at ${host} shows a certificate made for another name: use the name it was made for, or renew it`;
  // The engine's alert: OpenSSL 3 names it ERR_SSL_SSL/TLS_ALERT_…, older ones ERR_SSL_SSLV3_ALERT_…
  const alert =
    /^ERR_SSL_.*ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN)$/.exec(
      code,
    );
  if (alert)
    return `the Docker engine at ${host} refused tfmon's client certificate (${(alert[1] ?? '').toLowerCase().replace(/_/g, ' ')}): ${CERTS}`;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO')
    return `the Docker engine at ${host} does not speak TLS there (plain tcp:// without DOCKER_TLS_VERIFY?)`;
  return null;
}

export const unsupportedHost = (endpoint: Endpoint): EngineError =>
  new EngineError(
    `unsupported Docker host "${endpoint.host}" (${endpoint.source}): use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host`,
  );
