// The reachability probe: a POSIX sh script run inside a node (one long-lived session, targets on
// stdin), and the pure parser of what it prints. Targets travel as data lines read with `read -r`,
// never spliced into a shell string; the script refuses names that are not plain host names.
//
// Protocol: each input line "HOST PORT" is answered by one line
//   R <host> <port> <dns> <ip> <tcp> <ms> <tools>
// dns: ok | nxdomain | error;  tcp: ok | refused | timeout | skipped | error;  ip, ms: "-" when
// unknown; tools: resolver+connector used (getent, nslookup, python3, literal, nc, devtcp, none).
// An input line ". SEQ" ends a request and is answered with the same line, so that an answer names
// the request it answers (a session carries one request at a time; SEQ tells a late answer from the
// current one). Each result line names its target too, and is checked against it. Port 0 asks for the lookup alone (one
// node of a group resolves names for all of them): tcp is "skipped".

// With python3 (the TensorFlow images), the whole session is one python3 process: no process per
// target. Without it, the sh loop below: its helpers set variables instead of printing into $(…),
// so a target costs one lookup process and one connect process, nothing more (forks are what a
// round costs inside the nodes).
const PROBE_PYTHON = String.raw`
import re, socket, sys, threading, time
HOST = re.compile(r"^[A-Za-z0-9._:][A-Za-z0-9._:-]*$")
NXDOMAIN = (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5))
def lookup(host, box):
    try:
        box.append(("ok", socket.gethostbyname(host)))
    except socket.gaierror as e:
        box.append(("nxdomain" if e.errno in NXDOMAIN else "error", "-"))
    except Exception:
        box.append(("error", "-"))
def resolve(host):
    box = []
    t = threading.Thread(target=lookup, args=(host, box), daemon=True)
    t.start()
    t.join(2)
    return box[0] if box else ("error", "-")
def connect(ip, port):
    s = socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET)
    s.settimeout(2)
    try:
        s.connect((ip, port))
        return "ok"
    except ConnectionRefusedError:
        return "refused"
    except (socket.timeout, TimeoutError):
        return "timeout"
    except OSError:
        return "error"
    finally:
        s.close()
for line in sys.stdin:
    f = line.split()
    host = f[0] if f else ""
    port = " ".join(f[1:])
    if host == ".":
        print(" ".join(f), flush=True)
        continue
    if not HOST.match(host) or host.startswith("-"):
        print("R ? 0 error - skipped - refused-name")
        continue
    if not port.isdigit():
        print("R %s 0 error - skipped - bad-port" % host)
        continue
    if re.match(r"^[0-9.]+$", host):
        dns, ip, tool = "ok", host, "literal"
    else:
        (dns, ip), tool = resolve(host), "python3"
    if dns != "ok":
        print("R %s %s %s - skipped - %s" % (host, port, dns, tool))
        continue
    if port == "0":
        print("R %s 0 ok %s skipped - %s" % (host, ip, tool))
        continue
    t0 = time.monotonic()
    tcp = connect(ip, int(port))
    print("R %s %s ok %s %s %d %s+python3" % (host, port, ip, tcp, (time.monotonic() - t0) * 1000, tool))
`;

export const PROBE_SCRIPT =
  String.raw`
has() { command -v "$1" >/dev/null 2>&1; }
if has python3 && [ -z "$TFMON_PROBE_SH" ]; then exec python3 -c '` +
  PROBE_PYTHON +
  String.raw`'; fi
# (No parameter expansions with braces here: this text lives in a JS template literal.)
now_ms() { if IFS='. ' read -r sec cs _ < /proc/uptime 2>/dev/null; then ms="$sec$cs"0; else ms=0; fi; }
# A DNS server that does not answer would block a lookup for 10 s.
if has timeout; then lim="timeout 2"; else lim=""; fi
resolve() {
  rtool=none; dns=error; ip=-
  if has getent; then
    rtool=getent
    out=$($lim getent hosts "$1" 2>/dev/null); rc=$?
    if [ $rc -eq 0 ]; then set -- $out; dns=ok; ip=$1; return; fi
    if [ $rc -eq 2 ]; then dns=nxdomain; return; fi
  fi
  if has nslookup; then
    rtool=nslookup
    out=$($lim nslookup "$1" 2>&1)
    case "$out" in *NXDOMAIN*|*"can't find"*|*"can't resolve"*) dns=nxdomain; return ;; esac
    # The first address after the "Name:" line (the one before it is the DNS server's).
    seen=
    while IFS= read -r line; do
      case "$line" in
        Name:*) seen=1 ;;
        Address*) if [ -n "$seen" ]; then
            # "Address: 10.0.0.2" (newer busybox) or "Address 1: 10.0.0.2 name" (older)
            set -- $line; if [ "$1" = "Address:" ]; then a=$2; else a=$3; fi
            if [ -n "$a" ]; then dns=ok; ip=$a; return; fi
          fi ;;
      esac
    done <<EOF
$out
EOF
  fi
}
connect() {
  if has nc; then
    ctool=nc
    # busybox nc has no -z: connect with stdin closed; its message tells refused from timed out.
    err=$(nc -w 2 "$1" "$2" </dev/null 2>&1 >/dev/null) && { tcp=ok; return; }
    case "$err" in *refused*) tcp=refused ;; *"timed out"*|*imeout*) tcp=timeout ;; *) tcp=error ;; esac
    return
  fi
  if [ -n "$BASH_VERSION" ]; then
    ctool=devtcp
    if err=$( (exec 3<>"/dev/tcp/$1/$2") 2>&1 ); then tcp=ok; else case "$err" in *refused*) tcp=refused ;; *) tcp=error ;; esac; fi
    return
  fi
  ctool=none; tcp=error
}
while read -r host port; do
  if [ "$host" = "." ]; then if [ -n "$port" ]; then echo ". $port"; else echo "."; fi; continue; fi
  # A name that is not a plain host name is not echoed back either: results follow the input order.
  case "$host" in ''|-*|*[!A-Za-z0-9._:-]*) echo "R ? 0 error - skipped - refused-name"; continue ;; esac
  case "$port" in ''|*[!0-9]*) echo "R $host 0 error - skipped - bad-port"; continue ;; esac
  case "$host" in
    *[!0-9.]*) resolve "$host" ;;
    *) dns=ok; ip=$host; rtool=literal ;;
  esac
  if [ "$dns" != ok ]; then echo "R $host $port $dns - skipped - $rtool"; continue; fi
  if [ "$port" = 0 ]; then echo "R $host 0 ok $ip skipped - $rtool"; continue; fi
  now_ms; t0=$ms; connect "$ip" "$port"; now_ms
  echo "R $host $port ok $ip $tcp $((ms - t0)) $rtool+$ctool"
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
export const isProbeableHost = (host: string): boolean =>
  /^[A-Za-z0-9._:][A-Za-z0-9._:-]*$/.test(host) && !host.startsWith('-');

/** The input for one request: one "HOST PORT" line per target, then the end line ". SEQ". Targets
 * are matched to results by order, and each result names its target. */
export function probeInput(targets: readonly { host: string; port: number }[], seq: number): string {
  return `${targets.map((t) => `${t.host} ${t.port}`).join('\n')}${targets.length ? '\n' : ''}. ${seq}\n`;
}

/** Result lines of request `seq`, up to its end line; anything else (noise, a truncated line) is
 * skipped, and results before another request's end line are that request's, not these. Without
 * `seq`, the first end line of any request ends it. */
export function parseProbeOutput(text: string, seq?: number): { results: ProbeResult[]; complete: boolean } {
  let results: ProbeResult[] = [];
  for (const line of text.split('\n')) {
    const end = /^\.(?:\s+(\d+))?$/.exec(line.trim());
    if (end) {
      if (seq === undefined || Number(end[1]) === seq) return { results, complete: true };
      results = [];
      continue;
    }
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

/** Whether `r` is the answer to `target`: the script echoes the host and port it was given (a name
 * it refused comes back as "?" with port 0). */
export const answers = (r: ProbeResult, target: { host: string; port: number }): boolean =>
  isProbeableHost(target.host) ? r.host === target.host && r.port === target.port : r.host === '?';
