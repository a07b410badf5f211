// One SSH connection to a remote engine for everything tfmon does there. The system's ssh runs as a
// control master (so ~/.ssh/config, the agent and known_hosts apply as for the docker CLI) and
// forwards a private local socket to the remote /var/run/docker.sock: every HTTP connection tfmon
// opens (reads, each stream, each exec session) is one more channel on that one login, with no
// process on either end. Where the host refuses socket forwarding or its engine listens elsewhere,
// each connection is `docker system dial-stdio` run through the same master (Docker's own ssh
// transport, without a login per request).
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Duplex } from 'node:stream';

export const REMOTE_SOCKET = '/var/run/docker.sock';

export interface SshTarget {
  user: string | null;
  host: string;
  port: number | null;
}

/** ssh://[user@]host[:port] → its parts; null when it is not one. */
export function parseSshHost(url: string): SshTarget | null {
  const m = /^ssh:\/\/(?:([^@/]+)@)?([^:/[\]]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(url);
  if (!m || m[2] === undefined) return null;
  return { user: m[1] ?? null, host: m[2].replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : null };
}

/** A failure of the SSH side, already one line naming the host. */
export class SshError extends Error {
  readonly code = 'ESSH';
}

/** ssh's last words (its stderr) → what failed, with what to do about the usual causes. */
export function sshFailure(url: string, stderr: string, target: SshTarget): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^Warning: Permanently added/.test(l) && !/^\*|^@/.test(l));
  const said =
    lines.find((l) =>
      /verification failed|Permission denied|Connection refused|Could not resolve|timed out|No route|Connection closed|REMOTE HOST IDENTIFICATION/i.test(
        l,
      ),
    ) ??
    lines.at(-1) ??
    'ssh exited';
  const once = `ssh${target.port ? ` -p ${target.port}` : ''} ${target.user ? `${target.user}@` : ''}${target.host}`;
  let hint = '';
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION/i.test(stderr))
    hint = `: its host key is unknown or has changed; check it and accept it by connecting once (${once})`;
  else if (/Permission denied/i.test(said))
    hint =
      ': no key it accepts; load one into ssh-agent or name it with IdentityFile in ~/.ssh/config (tfmon never asks for a password)';
  else if (/Connection refused/i.test(said)) hint = ': nothing listens for SSH there';
  else if (/timed out/i.test(said)) hint = ': no answer';
  return `${url}: ${said.replace(/\.$/, '')}${hint}`;
}

type Mode = 'forward' | 'stdio';

/** Runs ssh ("$0" "$@") tied to this shell's stdin, a pipe from tfmon: when tfmon ends, however it
 * ends (SIGTERM, SIGKILL, a crash: no exit hook runs then), the pipe closes, ssh is ended and the
 * sockets' directory removed, so no login outlives it. Otherwise the shell exits with ssh's status. (A background list reads /dev/null
 * unless told otherwise: the pipe is kept as fd 3.) */
const TIED =
  'exec 3<&0; "$0" "$@" </dev/null & s=$!; { read _ <&3; kill $s 2>/dev/null; rm -rf "$TFMON_SSH_DIR"; } & w=$!; wait $s; st=$?; kill $w 2>/dev/null; exit $st';

/** Ends a login of this run: its pipe closed, the shell ends ssh. A kept login is left to its
 * ControlPersist time (the next run's to reuse). */
const end = (login: { child: ChildProcess | null }): void => {
  login.child?.stdin?.destroy();
};

/** One login: an ssh control master. */
interface Login {
  /** The ssh this run started and ends; null for a kept login (made by this run or an earlier one):
   * ssh keeps it in the background until it has been idle for the persist time. */
  child: ChildProcess | null;
  /** Kept between runs (--ssh-persist): its sockets are in the user's own directory, not the run's. */
  kept: boolean;
  /** Its control socket (channels opened through it need no login) and forwarded engine socket. */
  control: string;
  local: string;
  /** dial-stdio sessions open on it (sshd's MaxSessions, 10 by default, caps them per login). */
  sessions: number;
  stderr: string;
  exited: boolean;
  /** Logged in, its control socket there: a session started on it before would log in on its own. */
  ready: boolean;
}

interface Live {
  first: Login;
  mode: Mode;
}

/** The ssh program: PATH's, as the docker CLI runs it. */
const SSH = 'ssh';
/** Seconds for TCP and the login (ssh's ConnectTimeout); the session must be up within it + 5 s. */
const CONNECT_TIMEOUT_S = 10;

/** Sessions tfmon opens per login: under sshd's default MaxSessions (10), which counts exec sessions
 * and not forwarded sockets; a session still closing on the far end counts there a little longer. */
const SESSIONS_PER_LOGIN = 8;

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Seconds a login is kept after tfmon's last use of it, for the next run (ssh's ControlPersist): the
 * login is most of a short command's time over a slow link. 0: every run logs in and out. */
export const DEFAULT_SSH_PERSIST_S = 60;

/** The ssh program PATH names (what runs), so that a login is reused only by the same program. */
function sshProgram(path = process.env['PATH'] ?? ''): string {
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir || '.', SSH);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return SSH;
}

/** Where a kept login's sockets live: one directory per user (made mode 700; used only when it is a
 * real directory of this user's that no one else may enter: the forwarded socket is the remote
 * engine), one name per ssh program and destination. null when no such directory can be had. */
export function keptSockets(
  target: SshTarget,
  root = tmpdir(),
  program = sshProgram(),
): { control: string; local: string } | null {
  const uid = process.getuid?.();
  if (uid === undefined) return null;
  const dir = join(root, `tfmon-ssh-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch {
    // there already (checked below) or not to be made
  }
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) return null;
  } catch {
    return null;
  }
  const key = createHash('sha256')
    .update([program, target.user ?? '', target.host, String(target.port ?? '')].join('\0'))
    .digest('hex')
    .slice(0, 16);
  return { control: join(dir, `${key}.ctl`), local: join(dir, `${key}.sock`) };
}

export class SshTunnel {
  /** A private directory (mode 700) for the sockets, made at the first login, removed on close. */
  private dir: string | null = null;
  private starting: Promise<Live> | null = null;
  /** A second and later login for dial-stdio sessions beyond the first's MaxSessions. */
  private extra: Promise<Login> | null = null;
  private failedAt = 0;
  private lastFailure: Error | null = null;
  private readonly logins = new Set<Login>();
  /** Logins made so far: names each one's sockets. */
  private made = 0;

  constructor(
    private readonly url: string,
    private readonly target: SshTarget,
    /** --ssh-persist: seconds the first login is kept for the next run (0: ended with this one). */
    private readonly persistS = DEFAULT_SSH_PERSIST_S,
  ) {}

  private destination(): string[] {
    const { user, host, port } = this.target;
    return [...(port ? ['-p', String(port)] : []), ...(user ? ['-l', user] : []), '--', host];
  }

  /** A connection to the remote engine: one more channel on the SSH login (made, or made again after
   * the link dropped, on demand). */
  async connect(): Promise<Duplex> {
    const live = await this.up();
    if (live.mode === 'forward') return this.warm(live.first);
    return this.dialStdio(await this.loginWithRoom(live.first));
  }

  private up(): Promise<Live> {
    // A failed login is not tried again within 2 s, whoever asks: a burst of streams is one attempt.
    if (this.starting === null && this.lastFailure && Date.now() - this.failedAt < 2000)
      return Promise.reject(this.lastFailure);
    if (this.starting !== null) return this.starting;
    const starting: Promise<Live> = this.start().then(
      (live) => {
        // the link dropped: the next connection logs in again (a kept login's drop shows as its
        // socket refusing a connection: see warm)
        live.first.child?.once('exit', () => {
          if (this.starting === starting) this.starting = null;
        });
        return live;
      },
      (error: Error) => {
        this.starting = null;
        this.failedAt = Date.now();
        this.lastFailure = error;
        throw error;
      },
    );
    this.starting = starting;
    return starting;
  }

  /** Starts ssh as a control master (forwarding the engine's socket when `forward`), resolved once
   * it is logged in; a failure is one line naming the host. `kept`: the login outlives this run by
   * the persist time (ssh puts it in the background once logged in), its sockets where the next
   * run looks for them. */
  private async login(forward: boolean, kept: { control: string; local: string } | null = null): Promise<Login> {
    const n = this.made++;
    let control: string;
    let local: string;
    if (kept) ({ control, local } = kept);
    else {
      // mode 700: the forwarded socket is this user's alone (made again if a login's end removed it)
      if (!this.dir || !existsSync(this.dir)) this.dir = mkdtempSync(join(tmpdir(), 'tfmon-ssh-'));
      // Whatever ends the process ends its logins and removes their sockets; close() forgets it again.
      exitHooks.add(this);
      control = join(this.dir, `ctl-${n}`);
      local = join(this.dir, `docker-${n}.sock`);
    }
    const args = [
      '-M',
      '-S',
      control,
      '-N',
      '-T',
      ...(forward
        ? ['-L', `${local}:${REMOTE_SOCKET}`, '-o', 'ExitOnForwardFailure=yes', '-o', 'StreamLocalBindUnlink=yes']
        : []),
      '-o',
      'BatchMode=yes',
      '-o',
      `ConnectTimeout=${CONNECT_TIMEOUT_S}`,
      '-o',
      'ServerAliveInterval=10',
      '-o',
      'ServerAliveCountMax=3',
      '-o',
      kept ? `ControlPersist=${Math.max(1, Math.round(this.persistS))}s` : 'ControlPersist=no',
      ...this.destination(),
    ];
    // A kept login is ssh's own: it forks to the background once logged in (ControlPersist) in a
    // session of its own (no terminal signal reaches it), and this process exits 0.
    const child = kept
      ? spawn(SSH, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
      : spawn('sh', ['-c', TIED, SSH, ...args], {
          stdio: ['pipe', 'ignore', 'pipe'],
          env: { ...process.env, TFMON_SSH_DIR: this.dir ?? '' },
        });
    const login: Login = {
      child: kept ? null : child,
      kept: kept !== null,
      control,
      local,
      sessions: 0,
      stderr: '',
      exited: false,
      ready: false,
    };
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      login.stderr = (login.stderr + d).slice(-4000);
    });
    // Kept: the foreground ssh exits 0 once the master is in the background; only a failure ends it.
    const gone = (code?: number | null): void => {
      if (kept && code === 0) return;
      login.exited = true;
      this.logins.delete(login);
    };
    child.once('exit', gone);
    child.once('error', () => gone());
    // None of it keeps tfmon running; its end (however it ends) closes the pipe, which ends ssh.
    child.unref();
    (child.stderr as unknown as Socket | null)?.unref?.();
    (child.stdin as unknown as Socket | null)?.unref?.();
    this.logins.add(login);

    const deadline = Date.now() + (CONNECT_TIMEOUT_S + 5) * 1000;
    while (!(existsSync(control) && (!forward || existsSync(local)))) {
      if (login.exited)
        throw new SshError(sshFailure(this.url, login.stderr || `${SSH} could not be run`, this.target));
      if (Date.now() > deadline) {
        if (kept) child.kill();
        else end(login);
        throw new SshError(`${this.url}: no SSH session within ${CONNECT_TIMEOUT_S + 5} s`);
      }
      await pause(20);
    }
    login.ready = true;
    return login;
  }

  /** Forwarded connections opened ahead of need: each new one costs a round trip for ssh to open
   * its channel, paid here while nothing waits (4 = the first steps' parallel requests). */
  private readonly spare: Socket[] = [];

  /** A forwarded connection, one opened ahead when there is one; another is opened ahead in its place. */
  private warm(login: Login): Socket {
    let socket = this.spare.shift();
    while (socket && (socket.destroyed || socket.readableEnded)) socket = this.spare.shift();
    this.fillSpare(login);
    const s = (socket ?? connect(login.local)).ref();
    if (login.kept) s.once('error', (e: NodeJS.ErrnoException) => this.keptDropped(login, e));
    return s;
  }

  /** Ends a kept login now (it reached no engine: nothing to keep it for). */
  private exitKept(login: Login): Promise<void> {
    return new Promise((resolve) => {
      const child = spawn(SSH, ['-S', login.control, '-O', 'exit', ...this.destination()], { stdio: 'ignore' });
      child.once('error', () => resolve());
      child.once('exit', () => resolve());
    });
  }

  /** A kept login that refuses connections has ended (idle past its persist time while this run
   * made none, or its link dropped): the next connection logs in again. */
  private keptDropped(login: Login, error: NodeJS.ErrnoException): void {
    if (error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT') return;
    login.exited = true;
    this.logins.delete(login);
    for (const s of this.spare.splice(0)) s.destroy();
    this.starting = null;
  }

  private fillSpare(login: Login): void {
    while (this.spare.length < 4) {
      const socket = connect(login.local).unref(); // a spare keeps no one waiting
      socket.on('error', () => socket.destroy());
      socket.once('close', () => {
        const i = this.spare.indexOf(socket);
        if (i >= 0) this.spare.splice(i, 1);
      });
      this.spare.push(socket);
    }
  }

  private async start(): Promise<Live> {
    const kept = this.persistS > 0 ? keptSockets(this.target) : null;
    // A login kept by an earlier run (or this one) answers at once: no login at all. (A master that
    // ended leaves its forwarded socket behind, refusing: the ping says so.)
    if (kept && existsSync(kept.local)) {
      const reused: Login = { child: null, kept: true, ...kept, sessions: 0, stderr: '', exited: false, ready: true };
      this.logins.add(reused);
      this.fillSpare(reused);
      if (await answersPing(connect(reused.local))) return { first: reused, mode: 'forward' };
      // it answers no more (or never forwarded): a login of its own, as if none were kept
      for (const s of this.spare.splice(0)) s.destroy();
      this.logins.delete(reused);
      await this.exitKept(reused);
    }
    const first = await this.login(true, kept);
    // The forward is made; whether the remote end has an engine there shows on the first request
    // (spares open their channels meanwhile).
    this.fillSpare(first);
    if (await answersPing(connect(first.local))) return { first, mode: 'forward' };
    for (const s of this.spare.splice(0)) s.destroy();
    const why = lastLine(first.stderr) || `nothing answers at ${REMOTE_SOCKET}`;
    let stdioErr = '';
    first.sessions++;
    const probe = this.dialStdio(first, (t) => (stdioErr += t));
    if (await answersPing(probe)) return { first, mode: 'stdio' };
    end(first);
    if (first.kept) void this.exitKept(first);
    const noCli = /not found|No such file/i.test(stdioErr);
    throw new SshError(
      `${this.url}: logged in, but reached no engine: forwarding ${REMOTE_SOCKET} failed (${why.replace(/^channel \d+: /, '')}) and ` +
        (noCli
          ? 'the host has no docker CLI for `docker system dial-stdio`'
          : `\`docker system dial-stdio\` failed (${lastLine(stdioErr) || 'no answer'})`),
    );
  }

  /** A live login with a session to spare, that session taken; another login when all are full
   * (one at a time). */
  private async loginWithRoom(first: Login): Promise<Login> {
    for (;;) {
      const room = [first, ...this.logins].find((l) => l.ready && !l.exited && l.sessions < SESSIONS_PER_LOGIN);
      if (room) {
        room.sessions++; // now: callers waiting with this one would otherwise all see the same room
        return room;
      }
      this.extra ??= this.login(false).finally(() => {
        this.extra = null;
      });
      await this.extra;
    }
  }

  /** `docker system dial-stdio` on the remote host, through a login's master (a session, not a
   * login) whose session count already has it. */
  private dialStdio(login: Login, onStderr?: (text: string) => void): Duplex {
    const child = spawn(
      SSH,
      [
        '-S',
        login.control,
        '-o',
        'ControlMaster=no',
        '-o',
        'BatchMode=yes',
        '-T',
        ...this.destination(),
        'docker',
        'system',
        'dial-stdio',
      ],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    child.once('exit', () => login.sessions--);
    if (onStderr) child.stderr?.setEncoding('utf8').on('data', onStderr);
    else child.stderr?.resume();
    const stream = Duplex.from({ readable: child.stdout, writable: child.stdin }) as Duplex & SocketLike;
    stream.on('close', () => child.kill());
    child.once('error', (e) => stream.destroy(e));
    // http.Agent treats what it pools as a socket: these are what it calls.
    stream.setKeepAlive = () => stream;
    stream.setNoDelay = () => stream;
    stream.setTimeout = () => stream;
    // An idle pooled connection must not keep tfmon running: neither the process nor its pipes.
    const pipes = [child.stdin, child.stdout, child.stderr] as unknown as (Socket | null)[];
    stream.ref = () => {
      child.ref();
      for (const p of pipes) p?.ref();
      return stream;
    };
    stream.unref = () => {
      child.unref();
      for (const p of pipes) p?.unref();
      return stream;
    };
    return stream;
  }

  /** Ends the SSH connections and removes their sockets (a later connection logs in again). */
  close(): void {
    for (const s of this.spare.splice(0)) s.destroy();
    for (const l of this.logins) end(l);
    this.logins.clear();
    this.starting = null;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
    // Closed: the exit hook has nothing left to end (a new login adds it again).
    exitHooks.delete(this);
  }
}

interface SocketLike {
  setKeepAlive(): unknown;
  setNoDelay(): unknown;
  setTimeout(): unknown;
  ref(): unknown;
  unref(): unknown;
}

const lastLine = (text: string): string =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1) ?? '';

/** GET /_ping on a fresh connection: true when an HTTP answer comes back within 10 s. */
function answersPing(stream: Duplex): Promise<boolean> {
  return new Promise((resolve) => {
    let got = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      stream.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 10_000);
    stream.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (/^HTTP\/1\.[01] 200/.test(got)) done(true);
      else if (got.length > 12) done(false);
    });
    stream.on('error', () => done(false));
    stream.on('close', () => done(false));
    stream.write('GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n');
  });
}

/** A keep-alive pool whose connections are the tunnel's channels (for the reads' transport and for
 * docker-modem's actions alike: one login for both). */
export function tunnelAgent(tunnel: SshTunnel): Http.Agent {
  // node:http through require: its ESM wrapper loads undici (see transport.ts).
  const { Agent } = createRequire(import.meta.url)('node:http') as typeof Http;
  const agent = new Agent({ keepAlive: true });
  const open = (_options: unknown, done: (error: Error | null, socket?: Duplex) => void): undefined => {
    tunnel.connect().then(
      (socket) => done(null, socket),
      (error: Error) => done(error),
    );
    return undefined;
  };
  Object.assign(agent, { createConnection: open });
  return agent;
}

// Tunnels end with the process, however it ends (an ssh left behind would hold the login open).
const exitHooks = new Set<SshTunnel>();
process.once('exit', () => {
  for (const t of exitHooks) t.close();
});
