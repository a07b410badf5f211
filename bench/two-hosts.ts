// Two Docker hosts on one machine, for the tests and the bench of a cluster across hosts: two
// dockerds, each in a network namespace and a UTS namespace of its own (host names tfmon-host-a and
// tfmon-host-b, as two boxes would have), joined by a veth pair as their one wire (10.225.0.1 and
// .2: the swarm's 2377/tcp, gossip's 7946/tcp+udp and VXLAN's 4789/udp all cross it), A a swarm
// manager and B a worker. Named namespaces (ip netns) outlive a dockerd, so a host's engine can be
// stopped and started again on the same wire; the faults are the real thing: the wire cut, VXLAN
// dropped by iptables in B's namespace, B's dockerd stopped. Started by what needs it, removed after;
// nothing of the machine's own engine is touched.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export interface Host {
  /** a or b */
  key: 'a' | 'b';
  /** Its host name: the swarm node's name. */
  name: string;
  netns: string;
  socket: string;
  /** unix:///… for tfmon -H. */
  url: string;
  /** Its end of the wire. */
  address: string;
  link: string;
}

const host = (key: 'a' | 'b', octet: number): Host => ({
  key,
  name: `tfmon-host-${key}`,
  netns: `tfmon-host-${key}`,
  socket: `/var/run/tfmon-host-${key}.sock`,
  url: `unix:///var/run/tfmon-host-${key}.sock`,
  address: `10.225.0.${octet}`,
  link: `tfmon-wire-${key}`,
});

export const HOST_A = host('a', 1);
export const HOST_B = host('b', 2);
export const HOSTS = [HOST_A, HOST_B] as const;

const root = (h: Host): string => `/var/lib/tfmon-host-${h.key}`;
const execRoot = (h: Host): string => `/var/run/tfmon-host-${h.key}`;
const pidFile = (h: Host): string => `/var/run/tfmon-host-${h.key}.pid`;

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.trim();
}
const quiet = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/** docker -H the host's engine. */
export const dockerOn = (h: Host, ...args: string[]): string => run('docker', ['-H', h.url, ...args]);

export function dockerOnAsync(h: Host, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', ['-H', h.url, ...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`docker -H ${h.url} ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout.trim());
    });
  });
}

const answers = (h: Host): boolean =>
  spawnSync('docker', ['-H', h.url, 'info'], { stdio: 'ignore', timeout: 5000 }).status === 0;

/** A host's dockerd, in its namespaces; waits until it answers. */
export async function startEngine(h: Host, bridgeOctet = h.key === 'a' ? 226 : 227): Promise<void> {
  if (answers(h)) return;
  if (existsSync(pidFile(h))) rmSync(pidFile(h));
  mkdirSync(root(h), { recursive: true });
  const dockerd = [
    'dockerd',
    `-H ${h.url}`,
    `--data-root ${root(h)}`,
    `--exec-root ${execRoot(h)}`,
    `--pidfile ${pidFile(h)}`,
    `--bridge tfmon-hbr-${h.key}`,
    '--iptables=false',
    '--ip-masq=false',
    `--default-address-pool base=10.${bridgeOctet}.0.0/16,size=24`,
  ].join(' ');
  // Its bridge is made once per namespace; the host name is the UTS namespace's own.
  const bridge = `ip link show tfmon-hbr-${h.key} >/dev/null 2>&1 || { ip link add tfmon-hbr-${h.key} type bridge && ip addr add 10.${bridgeOctet}.255.1/24 dev tfmon-hbr-${h.key} && ip link set tfmon-hbr-${h.key} up; }`;
  const inside = `hostname ${h.name} && ${bridge} && exec ${dockerd}`;
  // nsenter, not `ip netns exec`: that one remounts /sys, and dockerd finds no cgroups there.
  const child = spawn('nsenter', [`--net=/var/run/netns/${h.netns}`, 'unshare', '--uts', 'sh', '-c', inside], {
    stdio: ['ignore', 'ignore', 'ignore'],
    detached: true,
  });
  child.unref();
  for (let i = 0; i < 60; i++) {
    if (answers(h)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${h.name}'s dockerd did not answer within 30 s`);
}

/** Stops a host's dockerd (its containers stop with it); its namespace and wire stay. */
export async function stopEngine(h: Host): Promise<void> {
  if (!existsSync(pidFile(h))) return;
  const pid = Number(readFileSync(pidFile(h), 'utf8').trim());
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 80 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 250));
}

/** Both hosts up, wired, in one swarm (A manages), with `image` loaded on both (no registry). */
export async function startTwoHosts(images: readonly string[]): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error(
      'the two-host tests start dockerds in network namespaces and need root: run them as root (npm test does in CI)',
    );
  for (const h of HOSTS) if (!quiet('ip', ['netns', 'exec', h.netns, 'true'])) run('ip', ['netns', 'add', h.netns]);
  if (!quiet('ip', ['netns', 'exec', HOST_A.netns, 'ip', 'link', 'show', HOST_A.link])) {
    run('ip', ['link', 'add', HOST_A.link, 'type', 'veth', 'peer', 'name', HOST_B.link]);
    for (const h of HOSTS) run('ip', ['link', 'set', h.link, 'netns', h.netns]);
  }
  for (const h of HOSTS) {
    const inNs = (...a: string[]) => run('ip', ['netns', 'exec', h.netns, ...a]);
    inNs('ip', 'link', 'set', 'lo', 'up');
    quiet('ip', ['netns', 'exec', h.netns, 'ip', 'addr', 'add', `${h.address}/24`, 'dev', h.link]);
    inNs('ip', 'link', 'set', h.link, 'up');
  }
  await Promise.all(HOSTS.map((h) => startEngine(h)));
  const state = (h: Host): string => dockerOn(h, 'info', '--format', '{{.Swarm.LocalNodeState}}');
  if (state(HOST_A) !== 'active')
    dockerOn(HOST_A, 'swarm', 'init', '--advertise-addr', HOST_A.address, '--listen-addr', `${HOST_A.address}:2377`);
  if (state(HOST_B) !== 'active') {
    const token = dockerOn(HOST_A, 'swarm', 'join-token', '-q', 'worker');
    dockerOn(HOST_B, 'swarm', 'join', '--token', token, '--advertise-addr', HOST_B.address, `${HOST_A.address}:2377`);
  }
  for (const image of images) {
    for (const h of HOSTS) {
      if (quiet('docker', ['-H', h.url, 'image', 'inspect', image])) continue;
      // docker save | docker -H … load: no registry here, each host gets its own copy.
      const r = spawnSync('sh', ['-c', `docker save '${image}' | docker -H '${h.url}' load -q`], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`loading ${image} on ${h.name}: ${r.stderr.trim()}`);
    }
  }
  writeFileSync(`${execRoot(HOST_A)}-started`, new Date().toISOString());
}

/** The swarm's view of its nodes: host name → status (ready, down…), from the manager. */
export function swarmNodes(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of dockerOn(HOST_A, 'node', 'ls', '--format', '{{.Hostname}} {{.Status}}').split('\n')) {
    const [name, status] = line.split(' ');
    if (name && status) out[name] = status.toLowerCase();
  }
  return out;
}

/** The wire cut (both ends down: a partition with both engines alive), or mended. */
export function cutWire(cut: boolean): void {
  for (const h of HOSTS) run('ip', ['netns', 'exec', h.netns, 'ip', 'link', 'set', h.link, cut ? 'down' : 'up']);
}

/** VXLAN (4789/udp) dropped as it arrives on B, both ways' replies with it: the control plane
 * (2377, 7946) still crosses. */
export function blockVxlan(block: boolean): void {
  const rule = ['-p', 'udp', '--dport', '4789', '-j', 'DROP'];
  for (const h of HOSTS) {
    const present = quiet('ip', ['netns', 'exec', h.netns, 'iptables', '-C', 'INPUT', ...rule]);
    if (block && !present) run('ip', ['netns', 'exec', h.netns, 'iptables', '-A', 'INPUT', ...rule]);
    if (!block && present) run('ip', ['netns', 'exec', h.netns, 'iptables', '-D', 'INPUT', ...rule]);
  }
}

/** Everything removed: what the tests left on the hosts, the swarm, the dockerds, their files, the
 * namespaces (the wire goes with them). Safe to call twice. */
export async function removeTwoHosts(): Promise<void> {
  for (const h of HOSTS) {
    if (!answers(h)) continue;
    for (const s of dockerOn(h, 'info', '--format', '{{.Swarm.ControlAvailable}}') === 'true'
      ? dockerOn(h, 'service', 'ls', '-q').split('\n').filter(Boolean)
      : [])
      quiet('docker', ['-H', h.url, 'service', 'rm', s]);
    const ids = dockerOn(h, 'ps', '-aq').split('\n').filter(Boolean);
    if (ids.length) quiet('docker', ['-H', h.url, 'rm', '-f', ...ids]);
  }
  for (const h of [HOST_B, HOST_A]) if (answers(h)) quiet('docker', ['-H', h.url, 'swarm', 'leave', '--force']);
  await Promise.all(HOSTS.map(stopEngine));
  for (const h of HOSTS) {
    // What a stopped daemon may leave mounted under its roots, deepest first.
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(root(h)) || m.startsWith(execRoot(h)))
      .sort()
      .reverse();
    for (const m of mounts) quiet('umount', ['-l', m]);
    rmSync(execRoot(h), { recursive: true, force: true });
    rmSync(h.socket, { force: true });
    rmSync(pidFile(h), { force: true });
    quiet('ip', ['netns', 'del', h.netns]);
  }
  rmSync(`${execRoot(HOST_A)}-started`, { force: true });
}
