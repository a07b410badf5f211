// The recording's file layout: after an 8-byte signature, a sequence of records, each
//
//   "TFMR" | u32 payload length | u32 CRC-32 of (kind, time, payload) | u8 kind | f64 time (ms) | payload
//
// (little-endian). A record is written whole, with one write; its marker and CRC let a reader find
// where a torn or corrupted stretch ends and go on from the next good record. Kinds: a header (JSON:
// the schema version, tfmon's version, the cluster), and the chunks of a raw-deflate stream: a key
// record starts a stream (a chunk), step records continue it, one a second, each ending on a sync
// flush so that what is on disk always decodes up to its last record; and event records (JSON: what
// happened that second), outside the stream so that listing them decodes nothing.
import { crc32 } from 'node:zlib';

export const SIGNATURE = Buffer.from('TFMONREC');
const MARKER = Buffer.from('TFMR');
export const RECORD_HEAD = 4 + 4 + 4 + 1 + 8;
/** Larger is not a record of tfmon's: a chunk of one second is kilobytes, a header a few. */
export const MAX_PAYLOAD = 16 * 1024 * 1024;

export const KIND = { header: 1, key: 2, step: 3, event: 4 } as const;
export type Kind = (typeof KIND)[keyof typeof KIND];

export interface RawRecord {
  kind: Kind;
  /** ms since the epoch. */
  time: number;
  payload: Buffer;
  /** Where the record starts in the file. */
  offset: number;
}

export function encodeRecord(kind: Kind, time: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(RECORD_HEAD + payload.length);
  MARKER.copy(out, 0);
  out.writeUInt32LE(payload.length, 4);
  out.writeUInt8(kind, 12);
  out.writeDoubleLE(time, 13);
  payload.copy(out, RECORD_HEAD);
  out.writeUInt32LE(crc32(out.subarray(12)), 8);
  return out;
}

const KINDS = new Set<number>(Object.values(KIND));

/** The record at `at`, or null when none valid starts there. The cheap checks come first; the CRC
 * is counted in `work` (bytes summed), so that a hostile file cannot make a scan quadratic. */
function recordAt(buf: Buffer, at: number, work: { bytes: number }): RawRecord | null {
  if (at + RECORD_HEAD > buf.length || buf.compare(MARKER, 0, 4, at, at + 4) !== 0) return null;
  const length = buf.readUInt32LE(at + 4);
  if (length > MAX_PAYLOAD || at + RECORD_HEAD + length > buf.length) return null;
  const kind = buf.readUInt8(at + 12);
  const time = buf.readDoubleLE(at + 13);
  if (!KINDS.has(kind) || !Number.isFinite(time) || time < 0) return null;
  work.bytes += length;
  if (crc32(buf.subarray(at + 12, at + RECORD_HEAD + length)) !== buf.readUInt32LE(at + 8)) return null;
  return { kind: kind as Kind, time, payload: buf.subarray(at + RECORD_HEAD, at + RECORD_HEAD + length), offset: at };
}

export interface Scan {
  records: RawRecord[];
  /** Bytes that were not part of a valid record (torn tail, corruption), and where the first was. */
  skipped: number;
  firstSkipAt: number | null;
}

/** Every valid record of a recording's bytes, in order. Throws only when the bytes are not a tfmon
 * recording at all (no signature). */
export function scanRecords(buf: Buffer): Scan {
  if (buf.length < SIGNATURE.length || buf.compare(SIGNATURE, 0, SIGNATURE.length, 0, SIGNATURE.length) !== 0) {
    throw new Error('not a tfmon recording (no TFMONREC signature)');
  }
  const records: RawRecord[] = [];
  let skipped = 0;
  let firstSkipAt: number | null = null;
  // Checking CRCs while looking for the next good record may cost a few times the file, no more.
  const work = { bytes: 0 };
  const budget = 4 * buf.length + MAX_PAYLOAD;
  let at = SIGNATURE.length;
  while (at < buf.length) {
    const r = recordAt(buf, at, work);
    if (r) {
      records.push(r);
      at += RECORD_HEAD + r.payload.length;
      continue;
    }
    // Not a record here: go on from the next marker that starts a valid one.
    firstSkipAt ??= at;
    let next = buf.indexOf(MARKER, at + 1);
    while (next !== -1 && !recordAt(buf, next, work)) {
      next = work.bytes < budget ? buf.indexOf(MARKER, next + 1) : -1;
    }
    const to = next === -1 ? buf.length : next;
    skipped += to - at;
    at = to;
  }
  return { records, skipped, firstSkipAt };
}
