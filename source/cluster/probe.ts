// The reachability probe: a POSIX sh script run inside a node (one long-lived session, targets on
// stdin), and the pure parser of what it prints. Targets travel as data lines read with `read -r`,
// never spliced into a shell string; the script refuses names that are not plain host names.
//
// Protocol: each input line "HOST PORT" is answered by one line
//   R <host> <port> <dns> <ip> <tcp> <ms> <tools>
// dns: ok | nxdomain | error;  tcp: ok | refused | timeout | skipped | error;  ip, ms: "-" when
// unknown; tools: resolver+connector used (getent, nslookup, python3, literal, nc, devtcp, none).
// An input line "." ends a round and is answered with ".".

export const PROBE_SCRIPT = String.raw`
now_ms() { read -r up _ < /proc/uptime 2>/dev/null || { echo 0; return; }; echo "$(echo "$up" | tr -d .)0"; }
has() { command -v "$1" >/dev/null 2>&1; }
# A DNS server that does not answer (a node cut off its network) would block a lookup for 10 s.
lim() { if has timeout; then timeout 2 "$@"; else "$@"; fi; }
resolve() {
  tried=none
  if has getent; then
    tried=getent
    out=$(lim getent hosts "$1" 2>/dev/null); rc=$?
    if [ $rc -eq 0 ]; then set -- $out; echo "ok $1 getent"; return; fi
    if [ $rc -eq 2 ]; then echo "nxdomain - getent"; return; fi
  fi
  if has nslookup; then
    tried=nslookup
    out=$(lim nslookup "$1" 2>&1)
    case "$out" in *NXDOMAIN*|*"can't find"*|*"can't resolve"*) echo "nxdomain - nslookup"; return ;; esac
    ip=$(printf '%s\n' "$out" | sed -n '/^Name:/,$ s/^Address[^:]*:[[:space:]]*\([0-9a-fA-F.:]*\).*/\1/p' | head -n 1)
    if [ -n "$ip" ]; then echo "ok $ip nslookup"; return; fi
  fi
  if has python3; then
    lim python3 -c 'import socket, sys
try:
    print("ok", socket.gethostbyname(sys.argv[1]), "python3")
except socket.gaierror as e:
    print("nxdomain" if e.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)) else "error", "-", "python3")' "$1" 2>/dev/null && return
  fi
  echo "error - $tried"
}
connect() {
  if has python3; then
    python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.settimeout(2)
try:
    s.connect((sys.argv[1], int(sys.argv[2]))); print("ok python3")
except ConnectionRefusedError:
    print("refused python3")
except (socket.timeout, TimeoutError):
    print("timeout python3")
except OSError:
    print("error python3")' "$1" "$2" 2>/dev/null && return
  fi
  if has nc; then
    # busybox nc has no -z: connect with stdin closed; its message tells refused from timed out.
    err=$(nc -w 2 "$1" "$2" </dev/null 2>&1 >/dev/null); rc=$?
    if [ $rc -eq 0 ]; then echo "ok nc"; return; fi
    case "$err" in *refused*) echo "refused nc" ;; *"timed out"*|*imeout*) echo "timeout nc" ;; *) echo "error nc" ;; esac
    return
  fi
  if [ -n "$BASH_VERSION" ]; then
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then echo "ok devtcp"; else echo "error devtcp"; fi
    return
  fi
  echo "error none"
}
while read -r host port; do
  if [ "$host" = "." ]; then echo "."; continue; fi
  # A name that is not a plain host name is not echoed back either: results follow the input order.
  case "$host" in ''|-*|*[!A-Za-z0-9._:-]*) echo "R ? 0 error - skipped - refused-name"; continue ;; esac
  case "$port" in ''|*[!0-9]*) echo "R $host 0 error - skipped - bad-port"; continue ;; esac
  case "$host" in
    *[!0-9.]*) set -- $(resolve "$host"); dns=$1; ip=$2; rtool=$3 ;;
    *) dns=ok; ip=$host; rtool=literal ;;
  esac
  if [ "$dns" != ok ]; then echo "R $host $port $dns - skipped - $rtool"; continue; fi
  t0=$(now_ms); set -- $(connect "$ip" "$port"); tcp=$1; ctool=$2; t1=$(now_ms)
  echo "R $host $port ok $ip $tcp $((t1 - t0)) $rtool+$ctool"
done
`;

export type DnsResult = 'ok' | 'nxdomain' | 'error';
export type TcpResult = 'ok' | 'refused' | 'timeout' | 'skipped' | 'error';

export interface ProbeResult {
  host: string;
  port: number;
  dns: DnsResult;
  ip: string | null;
  tcp: TcpResult;
  ms: number | null;
  tools: string;
}

const DNS = new Set(['ok', 'nxdomain', 'error']);
const TCP = new Set(['ok', 'refused', 'timeout', 'skipped', 'error']);

/** What the script accepts as a host name (it refuses the rest itself too). */
export const isProbeableHost = (host: string): boolean => /^[A-Za-z0-9._:][A-Za-z0-9._:-]*$/.test(host) && !host.startsWith('-');

/** The input for one round: one "HOST PORT" line per target, then the end-of-round line. Targets
 * are matched to results by order. */
export function probeInput(targets: readonly { host: string; port: number }[]): string {
  return `${targets.map((t) => `${t.host} ${t.port}`).join('\n')}${targets.length ? '\n' : ''}.\n`;
}

/** Result lines of a round, up to its end marker; anything else (noise, a truncated line) is skipped. */
export function parseProbeOutput(text: string): { results: ProbeResult[]; complete: boolean } {
  const results: ProbeResult[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '.') return { results, complete: true };
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'R' || f.length !== 8) continue;
    const [, host = '', port = '', dns = '', ip = '', tcp = '', ms = '', tools = ''] = f;
    if (!DNS.has(dns) || !TCP.has(tcp) || !/^\d+$/.test(port)) continue;
    results.push({
      host,
      port: Number(port),
      dns: dns as DnsResult,
      ip: ip === '-' ? null : ip,
      tcp: tcp as TcpResult,
      ms: /^-?\d+$/.test(ms) ? Math.max(0, Number(ms)) : null,
      tools,
    });
  }
  return { results, complete: false };
}
