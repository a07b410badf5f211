// Which engine to talk to, decided exactly as the docker CLI decides it (dockerode does not read
// contexts): --host, then --context, then DOCKER_HOST, then DOCKER_CONTEXT, then the
// current context of config.json, then the default socket. A context is read from
// $DOCKER_CONFIG/contexts/meta/<sha256(name)>/meta.json, its TLS files from
// $DOCKER_CONFIG/contexts/tls/<sha256(name)>/docker/. For tcp:// without a context, DOCKER_TLS_VERIFY
// and DOCKER_CERT_PATH give TLS as they do for the CLI.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isRecord } from '../cluster/json.js';
import { EngineError } from './errors.js';

export const DEFAULT_HOST = 'unix:///var/run/docker.sock';

export interface Tls {
  ca: Buffer | null;
  cert: Buffer | null;
  key: Buffer | null;
  /** false with SkipTLSVerify / DOCKER_TLS_VERIFY unset but certificates given. */
  verify: boolean;
}

export interface Endpoint {
  host: string;
  tls: Tls | null;
  /** Where it came from, for messages: "--host", "context prod", "DOCKER_HOST", "default". */
  source: string;
}

export interface EndpointInputs {
  host?: string | undefined;
  context?: string | undefined;
}

/** File access, injectable for tests. */
export interface Files {
  exists(path: string): boolean;
  read(path: string): Buffer;
}

const realFiles: Files = { exists: existsSync, read: (p) => readFileSync(p) };

const normalize = (host: string): string => (host.startsWith('/') ? `unix://${host}` : host);

const configDir = (env: NodeJS.ProcessEnv): string => env['DOCKER_CONFIG'] || join(homedir(), '.docker');

function certsIn(dir: string, files: Files, verify: boolean): Tls | null {
  const read = (name: string): Buffer | null => (files.exists(join(dir, name)) ? files.read(join(dir, name)) : null);
  const tls = { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem'), verify };
  return tls.ca || tls.cert || tls.key ? tls : null;
}

/** A named context's endpoint; "default" is DOCKER_HOST or the default socket, as for the CLI. */
function contextEndpoint(name: string, env: NodeJS.ProcessEnv, files: Files = realFiles): Endpoint {
  if (name === 'default')
    return { host: normalize(env['DOCKER_HOST'] || DEFAULT_HOST), tls: null, source: 'context default' };
  const id = createHash('sha256').update(name).digest('hex');
  const dir = configDir(env);
  const metaPath = join(dir, 'contexts', 'meta', id, 'meta.json');
  if (!files.exists(metaPath))
    throw new EngineError(`docker context "${name}" not found (no ${metaPath}); docker context ls lists them`);
  let meta: unknown;
  try {
    meta = JSON.parse(files.read(metaPath).toString('utf8'));
  } catch {
    throw new EngineError(`docker context "${name}": ${metaPath} is not JSON`);
  }
  const docker = isRecord(meta) && isRecord(meta['Endpoints']) ? meta['Endpoints']['docker'] : undefined;
  const host = isRecord(docker) && typeof docker['Host'] === 'string' ? docker['Host'] : null;
  if (!host) throw new EngineError(`docker context "${name}" has no docker endpoint`);
  const skip = isRecord(docker) && docker['SkipTLSVerify'] === true;
  return {
    host: normalize(host),
    tls: certsIn(join(dir, 'contexts', 'tls', id, 'docker'), files, !skip),
    source: `context ${name}`,
  };
}

export function resolveEndpoint(
  inputs: EndpointInputs,
  env: NodeJS.ProcessEnv = process.env,
  files: Files = realFiles,
): Endpoint {
  if (inputs.host && inputs.context) throw new EngineError('--host and --context name the engine twice: give one');
  if (inputs.host) return withEnvTls({ host: normalize(inputs.host), tls: null, source: '--host' }, env, files);
  if (inputs.context) return contextEndpoint(inputs.context, env, files);
  if (env['DOCKER_HOST'])
    return withEnvTls({ host: normalize(env['DOCKER_HOST']), tls: null, source: 'DOCKER_HOST' }, env, files);
  if (env['DOCKER_CONTEXT']) return contextEndpoint(env['DOCKER_CONTEXT'], env, files);
  const configPath = join(configDir(env), 'config.json');
  if (files.exists(configPath)) {
    try {
      const config: unknown = JSON.parse(files.read(configPath).toString('utf8'));
      const current = isRecord(config) && typeof config['currentContext'] === 'string' ? config['currentContext'] : '';
      if (current && current !== 'default') return contextEndpoint(current, env, files);
    } catch (error) {
      if (error instanceof EngineError) throw error;
      // an unreadable config.json: the CLI warns and uses the default; so does tfmon
    }
  }
  return { host: DEFAULT_HOST, tls: null, source: 'default' };
}

/** DOCKER_TLS_VERIFY=1 (certificates from DOCKER_CERT_PATH, default ~/.docker) for a tcp:// host. */
function withEnvTls(e: Endpoint, env: NodeJS.ProcessEnv, files: Files): Endpoint {
  if (!/^(tcp|https):/.test(e.host) || !env['DOCKER_TLS_VERIFY'] || env['DOCKER_TLS_VERIFY'] === '0') return e;
  const tls = certsIn(env['DOCKER_CERT_PATH'] || configDir(env), files, true);
  return { ...e, tls: tls ?? { ca: null, cert: null, key: null, verify: true } };
}
