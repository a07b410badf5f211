// In the tests, Ink's renderer draws every frame with both buffers, Ink's own and tfmon's
// (vitest.config.ts puts this class where Ink imports its `./output.js`, as the build puts tfmon's):
// the frame shown is tfmon's, and each frame whose text differs from Ink's is kept for the check
// after every test (test/helpers/setup.ts). So every screen test is also a test of the buffer.
import InkOutput from '../../node_modules/ink/build/output.js';
import Output, { type OutputTransformer } from '../../source/ui/ink/frame-output.js';

type Clip = Parameters<InkOutput['clip']>[0];

const mismatches: string[] = [];
let compared = 0;

/** Frames whose text differed since the last call (each: where, and both lines), and how many
 * frames were compared in all. */
export function takeMismatches(): string[] {
  return mismatches.splice(0);
}
export const comparedFrames = (): number => compared;

export default class BothOutputs {
  private readonly ink: InkOutput;
  private readonly ours: Output;
  width: number;
  height: number;
  constructor(options: { width: number; height: number }) {
    this.ink = new InkOutput(options);
    this.ours = new Output(options);
    this.width = options.width;
    this.height = options.height;
  }
  write(x: number, y: number, text: string, options: { transformers: OutputTransformer[] }): void {
    this.ink.write(x, y, text, options);
    this.ours.write(x, y, text, options);
  }
  clip(clip: Clip): void {
    this.ink.clip(clip);
    this.ours.clip(clip);
  }
  unclip(): void {
    this.ink.unclip();
    this.ours.unclip();
  }
  sliceLineToColumns(line: string, from: number, to: number): string {
    return this.ours.sliceLineToColumns(line, from, to);
  }
  get(): { output: string; height: number } {
    const theirs = this.ink.get();
    const mine = this.ours.get();
    compared++;
    if (theirs.output !== mine.output || theirs.height !== mine.height) {
      const a = theirs.output.split('\n');
      const b = mine.output.split('\n');
      const row = a.findIndex((line, i) => line !== b[i]);
      mismatches.push(
        `frame ${this.width}x${this.height}, row ${row}: Ink ${JSON.stringify(a[row])} vs tfmon ${JSON.stringify(b[row])}`,
      );
    }
    return mine;
  }
}
