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

/** The recording without its oldest chunks, as `bounds` ask; null when nothing is to be dropped. */
export function retained(buf: Buffer, bounds: Bounds): Buffer | null {
  const { records } = scanRecords(buf);
  const keys = records.filter((r) => r.kind === KIND.key);
  if (keys.length < 2) return null;
  const headerBefore = (at: number): RawRecord | undefined =>
    records.filter((r) => r.kind === KIND.header && r.offset < at).at(-1);
  const sizeFrom = (k: RawRecord): number => {
    const h = headerBefore(k.offset);
    return SIGNATURE.length + (h ? RECORD_HEAD + h.payload.length : 0) + (buf.length - k.offset);
  };
  // The first chunk that is young enough and small enough with what follows it; the last at worst.
  const last = keys[keys.length - 1] as RawRecord;
  const cut =
    keys.find(
      (k) =>
        (bounds.from === null || k.time >= bounds.from) && (bounds.maxBytes === null || sizeFrom(k) <= bounds.maxBytes),
    ) ?? last;
  if (cut === keys[0]) return null;
  const header = headerBefore(cut.offset);
  const head = header
    ? buf.subarray(header.offset, header.offset + RECORD_HEAD + header.payload.length)
    : Buffer.alloc(0);
  return Buffer.concat([SIGNATURE, head, buf.subarray(cut.offset)]);
}
