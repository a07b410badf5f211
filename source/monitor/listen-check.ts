// Whether a node's TensorFlow port accepts connections, checked from tfmon's own host: a TCP connect
// to its address on the cluster's network. Possible only for a local engine on a bridge network (the
// host routes to it); it costs tfmon a socket and the node nothing, where a connect from inside a
// busybox node costs a process (~2 ms of its CPU). The node-to-node pairs TensorFlow uses are still
// probed from inside the nodes: this answers only "does anyone listen there".
import { createRequire } from 'node:module';
import type * as Net from 'node:net';

const net = createRequire(import.meta.url)('node:net') as typeof Net;

export type ListenState = 'ok' | 'refused' | 'timeout' | 'error';

export interface Listener {
  ip: string;
  port: number;
  state: ListenState;
  /** When it was checked (ms since the epoch). */
  at: number;
}

const TIMEOUT_MS = 2000;

/** One connect, closed at once; never rejects. */
export function checkListener(ip: string, port: number): Promise<Listener> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: ip, port });
    let done = false;
    const finish = (state: ListenState): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ ip, port, state, at: Date.now() });
    };
    socket.setTimeout(TIMEOUT_MS, () => finish('timeout'));
    socket.once('connect', () => finish('ok'));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(error.code === 'ECONNREFUSED' ? 'refused' : error.code === 'ETIMEDOUT' ? 'timeout' : 'error'),
    );
  });
}
