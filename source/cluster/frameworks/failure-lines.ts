// What a rank's last error line says about the others: the peer it lost (gloo names it by address and
// port), the master it could not reach (torch's client socket names host and port), the ranks a
// store waited for. Lines as torch 1.13 and 2.x print them (2.x prefixes `[rankN]:`). Pure.
import { type LogLine, lastErrorOf } from '../logs.js';
import { hostPort } from './placement.js';

const PEER_PATTERNS: readonly RegExp[] = [
  // gloo: "Connection closed by peer [172.20.0.4]:14059", "Read error [10.0.0.3]:5432: Connection reset by peer"
  /Connection (?:closed|reset) by peer \[([^\]]+)\]:(\d+)/,
  /(?:Read|Write) error \[([^\]]+)\]:(\d+)/,
  /connect(?:ing)? to \[([^\]]+)\]:(\d+)/,
  // torch's store client: "… while trying to connect to (no-such-host-zz, 29511)."
  /trying to connect to \(([^,\s)]+), (\d+)\)/,
];

/** The peer a failure line names, by address or host name, or null. */
export function peerNamed(line: string | null): { host: string; port: number | null } | null {
  if (!line) return null;
  for (const re of PEER_PATTERNS) {
    const m = re.exec(line);
    if (m) return { host: hostPort(m[1]!).host, port: Number(m[2]) };
  }
  return null;
}

/** torch's store on the master, giving up on the ranks that never came:
 * "Timed out after 16 seconds waiting for clients. 2/3 clients joined." */
export function ranksWaitedFor(line: string | null): { joined: number; total: number } | null {
  const m = line ? /waiting for clients\. (\d+)\/(\d+) clients joined/.exec(line) : null;
  return m ? { joined: Number(m[1]), total: Number(m[2]) } : null;
}

/** A rank that gave up waiting for the rest of the job: the store's count of clients (torch 2.x),
 * torch 1.13's bare "Socket Timeout", an elastic rendezvous that timed out. */
export function waitedForTheJob(line: string | null): boolean {
  return (
    line !== null &&
    (ranksWaitedFor(line) !== null ||
      /\bSocket Timeout\b|RendezvousTimeoutError|Timed out initializing process group/.test(line))
  );
}

/** NCCL's watchdog on a collective that did not finish in time, as torch 1.x and 2.x print it, alone,
 * inside "NCCL communicator was aborted on rank 2. Original reason for failure was: …" or inside the
 * watchdog's `terminate … what():` line: "[Rank 3] Watchdog caught collective operation timeout:
 * WorkNCCL(SeqNum=56693, OpType=BROADCAST, Timeout(ms)=1800000) ran for 1804371 milliseconds". */
export function ncclTimeout(line: string | null): { rank: number; seq: number; op: string; timeoutMs: number } | null {
  const m = line
    ? /\[Rank (\d+)\] Watchdog caught collective operation timeout: WorkNCCL\(SeqNum=(\d+), OpType=(\w+)[^)]*?Timeout\(ms\)=(\d+)\)/.exec(
        line,
      )
    : null;
  return m ? { rank: Number(m[1]), seq: Number(m[2]), op: m[3]!, timeoutMs: Number(m[4]) } : null;
}

/** torchrun's agent on a worker that failed: "failed (exitcode: 1) local_rank: 0 (pid: 11) of binary:
 * /usr/bin/python3" (torch 1.13 prefixes `ERROR:torch.distributed…:`, 2.x absl's `E1204 …]`). */
export function workerFailed(line: string | null): { exitCode: number; localRank: number } | null {
  const m = line ? /\bfailed \(exitcode: (-?\d+)\) local_rank: (\d+) \(pid: \d+\) of binary/.exec(line) : null;
  return m ? { exitCode: Number(m[1]), localRank: Number(m[2]) } : null;
}

/** Besides torchrun's agent line, lines that only echo a failure said just before: a bare
 * "ChildFailedError:", the rendezvous's "See inner exception for details". */
const ECHO = /ChildFailedError:\s*$|See inner exception for details/;

/** A line that only echoes a failure said just before it (torchrun's agent line included): a line
 * naming a peer says more, and keeps its place as the last error. */
export const echoesFailure = (line: string): boolean => workerFailed(line) !== null || ECHO.test(line);

/** The error line that says most of these lines' last failure: the last error line, unless it only
 * echoes one said shortly before that names a peer (the one a worker lost, the store it could not
 * reach) — then that line. */
export function tellingError(lines: readonly Pick<LogLine, 'text' | 'level'>[]): string | null {
  const last = lastErrorOf(lines);
  if (last === null || !echoesFailure(last)) return last;
  const errors = lines.filter((l) => l.level === 'error').slice(-40);
  return errors.reverse().find((l) => peerNamed(l.text) !== null)?.text ?? last;
}

/** torchrun's report when a worker failed (torch.distributed.elastic's ChildFailedError): its "Root
 * Cause (first observed failure)" entry as one line — the rank, its exit code, what its traceback
 * says — or null when the lines hold no such report. The last such report counts. */
export function elasticRootCause(lines: readonly string[]): string | null {
  let at = -1;
  for (let i = lines.length - 1; i >= 0 && at === -1; i--)
    if (/Root Cause \(first observed failure\):/.test(lines[i]!)) at = i;
  if (at === -1) return null;
  const field = (name: string): string | null => {
    for (const line of lines.slice(at + 1, at + 12)) {
      const m = new RegExp(`^\\s*${name}\\s*:\\s*(.*)$`).exec(line);
      if (m) return m[1]!.trim();
    }
    return null;
  };
  const rank = field('rank');
  if (!rank) return null;
  const exit = field('exitcode')?.replace(/\s*\(pid: \d+\)$/, '') ?? '?';
  const why = field('traceback');
  // torch 1.13 gives no traceback in the report by default: the worker's own line before it may
  // still name the peer it lost (torch 2.x marks each rank's lines: only that rank's).
  const own = new RegExp(`^\\[rank${/^\d+/.exec(rank)?.[0] ?? ''}\\]:|^(?!\\[rank\\d+\\]:)`);
  const lost = lines
    .slice(Math.max(0, at - 80), at)
    .reverse()
    .find((t) => own.test(t) && peerNamed(t) !== null)
    ?.trim();
  const said = why && !/To enable traceback/.test(why) ? `: ${why}` : lost ? `: ${lost}` : '';
  return `ChildFailedError: rank ${rank} failed first, exit code ${exit}${said}`;
}

/** A node's last error as tfmon shows it: torchrun's report of the rank that failed first, else the
 * most telling error line. */
export function lastFailureOf(lines: readonly Pick<LogLine, 'text' | 'level'>[]): string | null {
  return elasticRootCause(lines.map((l) => l.text)) ?? tellingError(lines);
}
