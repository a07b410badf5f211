// A recording file opened for a command: read whole (a day of 50 nodes is megabytes), its
// warnings kept, its snapshot at a time given back sanitized — a file is untrusted input, and what
// it holds reaches the terminal.
import { readFileSync } from 'node:fs';
import type { Snapshot } from '../cluster/types.js';
import { parseAt } from './at.js';
import { RecordingError } from './errors.js';
import { asSnapshot } from './snapshot-shape.js';
import { type Recording, readRecording, stateAt } from './recording.js';

export function openRecordingFile(path: string): Recording {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RecordingError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}`);
  }
  try {
    return readRecording(buf);
  } catch (e) {
    throw new RecordingError(`${path}: ${(e as Error).message}`);
  }
}

/** The snapshot recorded at `at` (see parseAt), its time, and the file's warnings. */
export function snapshotAtTime(rec: Recording, at: string): { t: number; snapshot: Snapshot; warnings: string[] } {
  const t = parseAt(at, rec.start, rec.end);
  if (typeof t === 'string') throw new RecordingError(t);
  const warnings = [...rec.warnings];
  const state = stateAt(rec, t, warnings);
  if (!state) throw new RecordingError(`nothing readable was recorded at ${new Date(t).toISOString()}`);
  const snapshot = asSnapshot(state.snapshot);
  if (!snapshot) {
    throw new RecordingError(`the snapshot at ${new Date(state.t).toISOString()} is not one of tfmon's`);
  }
  return { t: state.t, snapshot, warnings };
}
