// One long-lived events stream: newline-delimited JSON split across chunks, reopened with backoff.
import type { Readable } from 'node:stream';
import { obj } from '../cluster/json.js';

export interface EngineEvent {
  type: 'container' | 'network';
  action: string;
  /** The container the event is about (for network events: the container that (dis)connected). */
  containerId: string;
  /** For network events: the network's id and name. */
  networkId: string | null;
  networkName: string | null;
  time: number;
}

/** A swarm node changed (a manager sends these): its id, host name and new state (ready, down…;
 * null when the update is not about its state). */
export interface NodeEvent {
  type: 'node';
  nodeId: string;
  name: string | null;
  state: string | null;
  time: number;
}

/** One decoded line of /events, or null for lines tfmon does not use. */
export function decodeEvent(line: string): EngineEvent | NodeEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  const e = obj(raw);
  const type = e['Type'];
  const action = typeof e['Action'] === 'string' ? e['Action'] : '';
  const actor = obj(e['Actor']);
  const attributes = obj(actor['Attributes']);
  const time = typeof e['time'] === 'number' ? e['time'] : 0;
  if (type === 'container' && typeof actor['ID'] === 'string') {
    if (action.startsWith('exec_') || action.startsWith('top') || action === 'attach' || action === 'resize')
      return null;
    return { type, action, containerId: actor['ID'], networkId: null, networkName: null, time };
  }
  if (
    type === 'network' &&
    (action === 'connect' || action === 'disconnect') &&
    typeof attributes['container'] === 'string'
  ) {
    return {
      type,
      action,
      containerId: attributes['container'],
      networkId: typeof actor['ID'] === 'string' ? actor['ID'] : null,
      networkName: typeof attributes['name'] === 'string' ? attributes['name'] : null,
      time,
    };
  }
  if (type === 'node' && typeof actor['ID'] === 'string') {
    const state = attributes['state.new'];
    const name = attributes['name'];
    return {
      type,
      nodeId: actor['ID'],
      name: typeof name === 'string' ? name : null,
      state: typeof state === 'string' ? state : null,
      time,
    };
  }
  return null;
}

/** Splits a byte stream into lines; keeps the partial tail for the next chunk. */
export class LineSplitter {
  private tail = '';
  push(chunk: Buffer | string, onLine: (line: string) => void): void {
    const text = this.tail + chunk.toString();
    const lines = text.split('\n');
    this.tail = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line);
  }
}

export interface EventsCallbacks {
  onEvent(event: EngineEvent | NodeEvent): void;
  /** Called once the stream is (re)opened: listeners resync, since events may have been missed. */
  onOpen(): void;
  onLost(error: unknown): void;
}

export type OpenEventStream = (signal: AbortSignal) => Promise<Readable | NodeJS.ReadableStream>;

/** Keeps one events stream open until close() is called. Backoff 0.25 s doubling to 4 s. */
export function followEvents(open: OpenEventStream, callbacks: EventsCallbacks): { close(): void } {
  let closed = false;
  let controller: AbortController | null = null;
  let timer: NodeJS.Timeout | null = null;
  let delay = 250;

  const retry = (error: unknown): void => {
    if (closed) return;
    callbacks.onLost(error);
    timer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, 4000);
  };

  const connect = async (): Promise<void> => {
    timer = null;
    if (closed) return;
    controller = new AbortController();
    let stream: Readable | NodeJS.ReadableStream;
    try {
      stream = await open(controller.signal);
    } catch (error) {
      retry(error);
      return;
    }
    if (closed) {
      // Closed while the request was on its way: this stream is nobody's, end it.
      (stream as Readable).destroy?.();
      return;
    }
    delay = 250;
    const splitter = new LineSplitter();
    let ended = false;
    const end = (error: unknown): void => {
      if (ended) return;
      ended = true;
      retry(error ?? new Error('events stream ended'));
    };
    stream.on('data', (chunk: Buffer) =>
      splitter.push(chunk, (line) => {
        const event = decodeEvent(line);
        if (event) callbacks.onEvent(event);
      }),
    );
    stream.on('error', end);
    stream.on('end', () => end(null));
    stream.on('close', () => end(null));
    callbacks.onOpen();
  };

  void connect();
  return {
    close(): void {
      closed = true;
      if (timer) clearTimeout(timer);
      controller?.abort();
    },
  };
}
