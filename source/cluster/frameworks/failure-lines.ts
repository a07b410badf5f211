// What a rank's last error line says about the others: the peer it lost (gloo names it by address and
// port), the master it could not reach (torch's client socket names host and port), the ranks a
// store waited for. Lines as torch 1.13 and 2.x print them (2.x prefixes `[rankN]:`). Pure.
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
  return line !== null && (ranksWaitedFor(line) !== null || /\bSocket Timeout\b|RendezvousTimeoutError|Timed out initializing process group/.test(line));
}

/** torchrun's report when a worker failed (torch.distributed.elastic's ChildFailedError): its "Root
 * Cause (first observed failure)" entry as one line — the rank, its exit code, what its traceback
 * says — or null when the lines hold no such report. The last such report counts. */
export function elasticRootCause(lines: readonly string[]): string | null {
  let at = -1;
  for (let i = lines.length - 1; i >= 0 && at === -1; i--) if (/Root Cause \(first observed failure\):/.test(lines[i]!)) at = i;
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
  const said = why && !/To enable traceback/.test(why) ? `: ${why}` : '';
  return `ChildFailedError: rank ${rank} failed first, exit code ${exit}${said}`;
}
