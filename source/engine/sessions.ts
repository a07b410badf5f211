// Long-lived processes in containers, spoken to over stdin/stdout: the probe sessions. Straight on
// the engine's API through the transport (exec create + a hijacked start, or a helper container
// attached before it starts), not through dockerode: loading dockerode and docker-modem for this
// alone cost the live screen ~20 MiB of resident memory at 200 nodes (measured).
import { PassThrough, type Duplex, type Readable } from 'node:stream';
import { FrameSplitter } from './frames.js';
import type { Transport } from './transport.js';

export interface ExecSession {
  stdout: Readable;
  write(text: string): void;
  close(): void;
}

const enc = encodeURIComponent;

/** stdout of a hijacked, multiplexed stream as a session; stderr (the remote shell's warnings) is
 * not a result and is dropped. */
function session(stream: Duplex, close: () => void): ExecSession {
  const stdout = new PassThrough();
  const frames = new FrameSplitter((kind, payload) => {
    if (kind === 'stdout') stdout.write(payload);
  });
  stream.on('data', (chunk: Buffer) => frames.push(chunk));
  const end = (): void => {
    if (!stdout.writableEnded) stdout.end();
  };
  stream.on('end', end);
  stream.on('close', end);
  stream.on('error', end);
  return { stdout, write: (text: string) => stream.write(text), close };
}

/** One exec whose stdin and stdout stay open, so that many requests cost one exec (an exec costs
 * the daemons ~50 ms of CPU). Argv only, no shell string built from engine data. */
export async function openExecSession(transport: Transport, id: string, argv: string[]): Promise<ExecSession> {
  const exec = await transport.send<{ Id: string }>(
    'POST',
    `/containers/${enc(id)}/exec`,
    {},
    {
      Cmd: argv,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    },
  );
  const stream = await transport.hijack(`/exec/${enc(exec.Id)}/start`, {}, { Detach: false, Tty: false });
  return session(stream, () => stream.destroy());
}

/** A session in a helper container that shares `id`'s network namespace (`--network
 * container:<id>`), for nodes whose image has no shell. stdin is attached once: when tfmon closes
 * the session (or dies) the helper's stdin ends, its loop ends, and AutoRemove removes it. */
export async function openHelperSession(
  transport: Transport,
  id: string,
  image: string,
  argv: string[],
  labels: Record<string, string>,
): Promise<ExecSession> {
  const created = await transport.send<{ Id: string }>(
    'POST',
    '/containers/create',
    {},
    {
      Image: image,
      Entrypoint: argv,
      Cmd: [],
      Labels: labels,
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      HostConfig: { NetworkMode: `container:${id}`, AutoRemove: true },
    },
  );
  const helper = `/containers/${enc(created.Id)}`;
  let stream: Duplex | null = null;
  try {
    // Attached before it starts, so that nothing it prints first is lost.
    stream = await transport.hijack(`${helper}/attach`, { stream: true, stdin: true, stdout: true, stderr: true });
    await transport.send('POST', `${helper}/start`);
  } catch (error) {
    stream?.destroy();
    await transport.send('DELETE', helper, { force: true }).catch(() => undefined);
    throw error;
  }
  const attached = stream;
  return session(attached, () => {
    attached.end();
    attached.destroy();
    // Belt and braces: a helper whose stdin did not close is stopped (AutoRemove removes it).
    void transport.send('POST', `${helper}/kill`).catch(() => undefined);
  });
}
