// --retain and --max-size: a recording kept bounded by dropping its oldest chunks (2 minutes each),
// whole. The file's bytes from the first chunk kept are copied as they are, after the signature and
// the header of the session that chunk belongs to: nothing is decoded or written again. Pure.
import { KIND, RECORD_HEAD, type RawRecord, SIGNATURE, scanRecords } from './frames.js';

export interface Bounds {
  /** Keep what was recorded since this time (ms since the epoch); null: any age. */
  from: number | null;
  /** Keep at most this many bytes (the chunk being written is always kept); null: any size. */
  maxBytes: number | null;
}

/** The time of a recording's first chunk; null when it holds none. */
export function firstChunkTime(buf: Buffer): number | null {
  return scanRecords(buf).records.find((r) => r.kind === KIND.key)?.time ?? null;
}

/** The recording without its oldest chunks, as `bounds` ask, and the time of its first chunk kept;
 * null when nothing is to be dropped. */
export function retained(buf: Buffer, bounds: Bounds): { bytes: Buffer; start: number } | null {
  // Each chunk's start, with the header of its session (one pass).
  const starts: { key: RawRecord; header: RawRecord | undefined }[] = [];
  let header: RawRecord | undefined;
  for (const r of scanRecords(buf).records) {
    if (r.kind === KIND.header) header = r;
    else if (r.kind === KIND.key) starts.push({ key: r, header });
  }
  if (starts.length < 2) return null;
  const sizeFrom = (s: (typeof starts)[number]): number =>
    SIGNATURE.length + (s.header ? RECORD_HEAD + s.header.payload.length : 0) + (buf.length - s.key.offset);
  // The first chunk that is young enough and small enough with what follows it; the last at worst.
  const cut =
    starts.find(
      (s) =>
        (bounds.from === null || s.key.time >= bounds.from) &&
        (bounds.maxBytes === null || sizeFrom(s) <= bounds.maxBytes),
    ) ?? (starts[starts.length - 1] as (typeof starts)[number]);
  if (cut === starts[0]) return null;
  const h = cut.header;
  const head = h ? buf.subarray(h.offset, h.offset + RECORD_HEAD + h.payload.length) : Buffer.alloc(0);
  return { bytes: Buffer.concat([SIGNATURE, head, buf.subarray(cut.key.offset)]), start: cut.key.time };
}
