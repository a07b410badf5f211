// Spans and sizes as people type them on a command line. Pure; each caller says its own bounds and
// its own error in words.

const SPAN_MS = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 } as const;

/** "90s", "5m", "2.5h", "1d" in ms; null for anything else. */
export function spanMs(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text);
  return m ? Number(m[1]) * SPAN_MS[m[2] as keyof typeof SPAN_MS] : null;
}

/** `docker run --memory` style: "512m", "8g", "1.5GiB", "1048576" in bytes; null for anything else. */
export function sizeBytes(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg]?)i?b?$/i.exec(text.trim());
  if (!m) return null;
  const unit = (m[2] ?? '').toLowerCase();
  return Math.round(Number(m[1]) * (unit === 'g' ? 1024 ** 3 : unit === 'm' ? 1024 ** 2 : unit === 'k' ? 1024 : 1));
}

/** Bytes in the largest of GiB, MiB, KiB that divides them exactly, with that unit's name
 * (`names`: Compose writes G, M, K; Kubernetes Gi, Mi, Ki); the plain number otherwise. */
export function exactBytes(bytes: number, names: readonly [g: string, m: string, k: string]): string {
  const sizes = [1024 ** 3, 1024 ** 2, 1024];
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i] as number;
    if (bytes % size === 0) return `${bytes / size}${names[i]}`;
  }
  return String(bytes);
}
