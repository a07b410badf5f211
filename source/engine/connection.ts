// What the parts of the engine layer share: one engine's calls (reads through the transport, the
// error wrapping, dockerode loaded on the first action). Engine implements it; images.ts and
// swarm-services.ts take it, so that each resource lives in its own file.
import type Docker from 'dockerode';

export interface EngineCalls {
  /** GET path?query → the parsed JSON answer. */
  get<T>(path: string, query?: Record<string, unknown>): Promise<T>;
  /** Wraps a call so that connection failures become one actionable line. */
  call<T>(what: () => Promise<T>): Promise<T>;
  /** dockerode on the engine's modem, loaded on the first use. */
  api(): Promise<Docker>;
}

export const enc = encodeURIComponent;

/** Label filters in the engine's syntax (`key` alone matches any value). */
export const labelFilters = (labels: Record<string, string>): string[] =>
  Object.entries(labels).map(([k, v]) => (v === '' ? k : `${k}=${v}`));
