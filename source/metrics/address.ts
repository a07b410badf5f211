// Where the metrics endpoint listens. Loopback unless asked otherwise: the endpoint has no
// authentication, and what it says (container names, the cluster's problems) is for this host.

/** 10922: outside 9100-9999, the range of Prometheus' default port allocations (full since 2023),
 * and not among the ports that list gives out elsewhere. */
export const DEFAULT_METRICS_PORT = 10922;
export const DEFAULT_METRICS_ADDRESS = `127.0.0.1:${DEFAULT_METRICS_PORT}`;

export interface ListenAddress {
  host: string;
  port: number;
}

/** "PORT", "HOST:PORT" or "[V6]:PORT" → the address, or a one-line reason. A bare port listens on
 * loopback. */
export function parseListenAddress(value: string): ListenAddress | string {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535)
    return `--metrics must be PORT, HOST:PORT or [IPv6]:PORT (like ${DEFAULT_METRICS_ADDRESS}), got "${value}"`;
  const host = m[1] === undefined ? '127.0.0.1' : m[1].replace(/^\[|\]$/g, '');
  return { host, port };
}

/** Only this host can reach it: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host.toLowerCase() === 'localhost';
}

export const formatAddress = (a: ListenAddress): string =>
  a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
