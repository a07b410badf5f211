/** A recording that cannot be read or written: its one-line reason (the command exits 1 with it). */
export class RecordingError extends Error {}
