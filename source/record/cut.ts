// `tfmon record cut`: a stretch of a recording as a file of its own, small enough to attach to a bug
// report. Each second in the stretch is read back and written again: a whole snapshot at its start,
// then the changes, the log lines of each second, and the events told again (the problems open at
// its start first, as in any recording).
import type { RecordHeader, Recording } from './recording.js';
import { ReplayModel } from './replay-model.js';
import { RecordWriter } from './writer.js';

export async function cutRecording(
  rec: Recording,
  from: number,
  to: number,
  out: string,
): Promise<{ seconds: number; bytes: number }> {
  const model = new ReplayModel(rec);
  const { schema: _schema, ...header }: RecordHeader = rec.header;
  const writer = new RecordWriter(out, header);
  let seconds = 0;
  for (const t of model.times) {
    if (t < from || t > to) continue;
    const frame = model.frameAt(t);
    if (!frame || frame.t !== t) continue;
    await writer.add(t, frame.snapshot, frame.own);
    seconds++;
  }
  await writer.close();
  return { seconds, bytes: writer.bytesWritten };
}
