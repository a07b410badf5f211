// Every flag of the command line, once: its type and default (meow parses with this table), its help
// (the Options sections of `tfmon --help` are generated from it) and the commands it applies to (a
// flag given to a command that does not use it is a usage error). cli.tsx also reads it to tell the
// live screen from a command before meow is loaded (see liveScreenArgs). No dependencies at run time.

/** The commands; `screen` is the live screen (no command word, stdout a terminal). */
export type Command =
  | 'screen'
  | 'status'
  | 'serve'
  | 'record'
  | 'replay'
  | 'up'
  | 'down'
  | 'logs'
  | 'doctor'
  | 'tf-config'
  | 'export';
export const COMMANDS: readonly Exclude<Command, 'screen'>[] = [
  'status',
  'serve',
  'record',
  'replay',
  'up',
  'down',
  'logs',
  'doctor',
  'tf-config',
  'export',
];
/** Every command but replay, which reads a file and takes no engine flags. */
const ALL: readonly Command[] = ['screen', ...COMMANDS.filter((c) => c !== 'replay')];
const WATCH: readonly Command[] = ['screen', 'status', 'serve', 'record'];

interface FlagDoc {
  /** The value's name in the help (string flags). */
  arg?: string;
  help: string;
  commands: readonly Command[];
}

export const FLAGS = {
  network: {
    type: 'string',
    shortFlag: 'n',
    default: 'tf-network',
    arg: 'NAME',
    help: "the cluster's Docker network (default: tf-network)",
    commands: ALL,
  },
  label: {
    type: 'string',
    shortFlag: 'l',
    isMultiple: true,
    default: [],
    arg: 'K=V',
    help: 'narrow the cluster to containers with this label (repeatable); with up: put it on everything created',
    commands: ALL,
  },
  host: {
    type: 'string',
    shortFlag: 'H',
    isMultiple: true,
    default: [],
    arg: 'URL',
    help: 'Docker engine: unix:///path, tcp://host:2376 (TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH), ssh://user@host (default: as the docker CLI chooses); repeated: one cluster over several engines (a HOST column)',
    commands: ALL,
  },
  context: {
    type: 'string',
    arg: 'NAME',
    help: 'a docker context (default: DOCKER_CONTEXT, then the current context)',
    commands: ALL,
  },
  sshPersist: {
    type: 'string',
    arg: 'SECONDS',
    help: 'with ssh://: keep the login this long after tfmon exits, for the next run to use (default 60; 0: log out at exit)',
    commands: ALL,
  },
  all: {
    type: 'boolean',
    default: false,
    help: 'also list, under each problem, the problems that follow from it',
    commands: ['doctor'],
  },
  json: {
    type: 'boolean',
    default: false,
    help: 'machine-readable output (docs/status-json.md is the contract)',
    commands: ['status', 'doctor'],
  },
  at: {
    type: 'string',
    arg: 'TIME',
    help: 'read a recording instead of the engine: the cluster at TIME (2026-12-05T02:58:00Z, 02:58, or -5m from its end); the file follows: tfmon status --at TIME FILE; replay starts there',
    commands: ['status', 'doctor', 'replay', 'export'],
  },
  output: {
    type: 'string',
    shortFlag: 'o',
    arg: 'FILE',
    help: 'record: the recording (default tfmon-NETWORK-START.tfrec here; an existing recording is appended to); record cut: the new file; export: the file (default: stdout)',
    commands: ['record', 'export'],
  },
  record: {
    type: 'string',
    arg: 'FILE',
    help: 'also record what tfmon sees into FILE, as tfmon record does (the log lines of the nodes it follows: those training, those on screen)',
    commands: ['screen', 'serve'],
  },
  retain: {
    type: 'string',
    arg: 'SPAN',
    help: 'keep the last SPAN of the recording (72h, 30m, 2d), dropping its oldest 2-minute chunks whole',
    commands: ['record', 'screen', 'serve'],
  },
  maxSize: {
    type: 'string',
    arg: 'SIZE',
    help: 'keep the recording under SIZE (500m, 2g), dropping its oldest 2-minute chunks whole',
    commands: ['record', 'screen', 'serve'],
  },
  from: {
    type: 'string',
    arg: 'TIME',
    help: 'record cut FILE: the stretch starts here (as --at takes it; default: the recording start); up: a Compose file to create the cluster from (as tfmon export compose writes one)',
    commands: ['record', 'up'],
  },
  to: {
    type: 'string',
    arg: 'TIME',
    help: 'record cut FILE: the stretch ends here (as --at takes it; default: the recording end)',
    commands: ['record'],
  },
  interval: {
    type: 'string',
    arg: 'SECONDS',
    help: 'how often usage is sampled (default 2 on the live screen; 1 for status, which waits one interval)',
    commands: WATCH,
  },
  usage: {
    type: 'boolean',
    default: true,
    help: 'no CPU/memory/network sampling (status answers at once)',
    commands: WATCH,
  },
  usageSource: {
    type: 'string',
    default: 'auto',
    arg: 'SRC',
    help: "auto (default: the kernel's cgroup files for a local engine, else the engine's stats API), cgroup, or api",
    commands: WATCH,
  },
  probe: { type: 'boolean', default: true, help: 'no DNS/TCP probing between nodes', commands: [...WATCH, 'doctor'] },
  probeInterval: {
    type: 'string',
    default: '5',
    arg: 'S',
    help: 'seconds between reachability rounds (default 5)',
    commands: ['screen', 'serve', 'record'],
  },
  metrics: {
    type: 'string',
    arg: 'ADDR',
    help: 'serve Prometheus metrics, /status and /healthz on ADDR: PORT or HOST:PORT (serve: default 127.0.0.1:10922; loopback unless a HOST says otherwise)',
    commands: ['screen', 'serve'],
  },
  probeAll: {
    type: 'boolean',
    default: false,
    help: 'probe every pair of nodes in every round (default: the pairs TensorFlow uses; every pair only while the matrix is on screen, and on p)',
    commands: [...WATCH, 'doctor'],
  },
  probeImage: {
    type: 'string',
    arg: 'IMAGE',
    help: 'local image with sh, to probe nodes whose image has no shell from a helper container in their network namespace (default: tfmon-sim)',
    commands: [...WATCH, 'doctor'],
  },
  training: {
    type: 'boolean',
    default: true,
    help: "no training progress: the nodes' logs are not followed for it (only the shown node's log streams)",
    commands: [...WATCH, 'doctor'],
  },
  progressRegex: {
    type: 'string',
    isMultiple: true,
    default: [],
    arg: 'RE',
    help: 'your own progress line: a regular expression with named groups step, loss, epoch, epochs, done, total, rate (steps/s) or seconds (per step); repeatable',
    commands: [...WATCH, 'doctor'],
  },
  stallAfter: {
    type: 'string',
    default: '120',
    arg: 'S',
    help: 'seconds without progress before a node is stalled (default 120; longer when its own reports are further apart: 3x their interval)',
    commands: [...WATCH, 'doctor'],
  },
  tail: {
    type: 'string',
    default: '200',
    arg: 'N',
    help: 'log lines read back when logs open (default 200; all for everything)',
    commands: ['screen', 'logs'],
  },
  logBuffer: {
    type: 'string',
    default: '5000',
    arg: 'N',
    help: 'log lines kept per node on the live screen (default 5000)',
    commands: ['screen'],
  },
  readOnly: {
    type: 'boolean',
    default: false,
    help: 'refuse every change (the live screen binds no + - r R a; tf-config cannot --apply)',
    commands: ['screen', 'tf-config'],
  },
  tfConfigDir: {
    type: 'string',
    arg: 'DIR',
    help: "where w in the live screen's TF_CONFIG pane (c) writes <node>.json",
    commands: ['screen'],
  },
  altScreen: {
    type: 'boolean',
    default: true,
    help: "draw in the terminal's normal screen and leave the last frame there on quit (default: the alternate screen, given back as it was)",
    commands: ['screen'],
  },
  ps: { type: 'string', default: '1', arg: 'N', help: 'parameter servers (default 1)', commands: ['up'] },
  workers: { type: 'string', default: '2', arg: 'N', help: 'workers (default 2)', commands: ['up'] },
  chief: {
    type: 'boolean',
    default: false,
    help: 'add a chief (the ParameterServerStrategy coordinator)',
    commands: ['up'],
  },
  evaluator: { type: 'boolean', default: false, help: 'add an evaluator', commands: ['up'] },
  image: {
    type: 'string',
    arg: 'REF',
    help: "image for every task (default: tfmon's simulated node, built locally)",
    commands: ['up'],
  },
  framework: {
    type: 'string',
    default: 'tensorflow',
    arg: 'NAME',
    help: "the job to create: tensorflow (ps and workers; tfmon's simulated node unless --image) or pytorch (a real DDP job of --workers ranks, env://, gloo; Debian's torch 1.13, its image built on first use; --ps, --chief and --evaluator do not apply)",
    commands: ['up'],
  },
  prefix: {
    type: 'string',
    arg: 'NAME',
    help: 'container names: NAME-ps-0, NAME-worker-0, NAME-chief (default tf); NAME-rank-0… with --framework pytorch (default ddp)',
    commands: ['up'],
  },
  port: {
    type: 'string',
    arg: 'N',
    help: "gRPC port of every task (default 2222); with --framework pytorch, the master's MASTER_PORT (default 29500)",
    commands: ['up'],
  },
  cpus: { type: 'string', arg: 'N', help: 'CPU limit per container, like docker run --cpus', commands: ['up'] },
  memory: { type: 'string', arg: 'SIZE', help: 'memory limit per container, like 512m or 8g', commands: ['up'] },
  gpus: {
    type: 'string',
    arg: 'SPEC',
    help: 'GPUs per container, like docker run --gpus: all, 2, device=0,1',
    commands: ['up'],
  },
  publish: {
    type: 'string',
    isMultiple: true,
    default: [],
    arg: '[H:]P',
    help: 'publish worker port P on host port H+index (e.g. 8888: 8888, 8889, …)',
    commands: ['up'],
  },
  env: {
    type: 'string',
    isMultiple: true,
    default: [],
    arg: 'K=V',
    help: 'extra environment for every task (repeatable)',
    commands: ['up'],
  },
  command: {
    type: 'string',
    arg: 'JSON',
    help: 'command for ps and worker tasks, as a JSON array (default for real images: a tf.distribute.Server for the task)',
    commands: ['up'],
  },
  dryRun: { type: 'boolean', default: false, help: 'print what would be created, create nothing', commands: ['up'] },
  swarm: {
    type: 'boolean',
    default: false,
    help: 'one swarm service per task on an attachable overlay network (needs a swarm manager); each task resolves by its service name (dnsrr)',
    commands: ['up'],
  },
  constraint: {
    type: 'string',
    isMultiple: true,
    default: [],
    arg: 'EXPR',
    help: 'swarm placement, like node.labels.gpu==true (repeatable)',
    commands: ['up'],
  },
  node: { type: 'string', arg: 'NAME', help: 'only this node (prints its TF_CONFIG alone)', commands: ['tf-config'] },
  write: {
    type: 'string',
    arg: 'DIR',
    help: 'write DIR/<node>.json (atomically; the previous one kept as .bak)',
    commands: ['tf-config'],
  },
  apply: {
    type: 'boolean',
    default: false,
    help: 'recreate the nodes whose TF_CONFIG differs, one at a time; a PyTorch job restarts whole (asks; --yes)',
    commands: ['tf-config'],
  },
  yes: {
    type: 'boolean',
    shortFlag: 'y',
    default: false,
    help: 'do not ask for confirmation (export: replace the -o file)',
    commands: ['down', 'tf-config', 'export'],
  },
  name: {
    type: 'string',
    arg: 'NAME',
    help: "export: the Kubernetes object's name (default: the network's)",
    commands: ['export'],
  },
  since: {
    type: 'string',
    arg: 'WHEN',
    help: 'only lines since then: 30s, 5m, 2h, 1d, or a time like 2026-11-28T10:00:00Z',
    commands: ['logs'],
  },
  errors: {
    type: 'boolean',
    default: false,
    help: 'only error lines (ERROR, Traceback, OOM, UnavailableError, E/F tensorflow…)',
    commands: ['logs'],
  },
  follow: {
    type: 'boolean',
    shortFlag: 'f',
    default: false,
    help: 'keep printing new lines until Ctrl-C',
    commands: ['logs'],
  },
  timestamps: { type: 'boolean', default: false, help: "Docker's timestamp before each line", commands: ['logs'] },
  help: { type: 'boolean', shortFlag: 'h', help: 'this help', commands: ALL },
  version: { type: 'boolean', shortFlag: 'v', help: 'the version', commands: ALL },
} satisfies Record<
  string,
  FlagDoc & { type: 'string' | 'boolean'; shortFlag?: string; isMultiple?: boolean; default?: unknown }
>;

export type FlagName = keyof typeof FLAGS;
type Spec = FlagDoc & { type: 'string' | 'boolean'; shortFlag?: string; isMultiple?: boolean; default?: unknown };
const SPECS = FLAGS as Record<FlagName, Spec>;

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const kebabToCamel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The flag a command-line word names (--name, --name=value, --no-name, -x), or null. */
function flagOf(arg: string): { name: FlagName; inlineValue: boolean } | null {
  if (arg.startsWith('--')) {
    const [word = ''] = arg.slice(2).split('=');
    const camel = kebabToCamel(word);
    if (camel in SPECS) return { name: camel as FlagName, inlineValue: arg.includes('=') };
    const negated = word.startsWith('no-') ? kebabToCamel(word.slice(3)) : '';
    if (negated in SPECS && SPECS[negated as FlagName].type === 'boolean')
      return { name: negated as FlagName, inlineValue: false };
    return null;
  }
  if (arg.startsWith('-') && arg.length === 2) {
    const found = (Object.keys(SPECS) as FlagName[]).find((n) => SPECS[n].shortFlag === arg[1]);
    return found ? { name: found, inlineValue: false } : null;
  }
  return null;
}

/** The flags these arguments give, and the words that are not flags (the command and its operands),
 * read the way meow reads them: a flag that takes a value takes the next word unless it says `=value`. */
export function readArgs(args: readonly string[]): { flags: FlagName[]; words: string[] } {
  const flags: FlagName[] = [];
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      words.push(...args.slice(i + 1));
      break;
    }
    const flag = arg.startsWith('-') && arg.length > 1 ? flagOf(arg) : null;
    if (flag) {
      flags.push(flag.name);
      if (SPECS[flag.name].type === 'string' && !flag.inlineValue) i++;
    } else if (!arg.startsWith('-') || arg === '-') {
      words.push(arg);
    }
  }
  return { flags, words };
}

/** The arguments with a value that starts with a dash and a digit (`--at -5m`) joined to its flag
 * (`--at=-5m`): the parser would read it as a flag of its own. */
export function joinDashValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const flag = arg.startsWith('--') && !arg.includes('=') ? flagOf(arg) : null;
    const next = args[i + 1];
    if (flag && SPECS[flag.name].type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Whether these arguments ask for the live screen (no command word, no --help or --version). */
export function liveScreenArgs(args: readonly string[]): boolean {
  if (args.includes('--')) return false;
  const { flags, words } = readArgs(args);
  return words.length === 0 && !flags.includes('help') && !flags.includes('version');
}

/** The first flag given that `command` does not use, as a usage error's text; null when all apply. */
export function misplacedFlag(args: readonly string[], command: Command): string | null {
  for (const name of readArgs(args).flags) {
    if (SPECS[name].commands.includes(command)) continue;
    const where = SPECS[name].commands.map((c) => (c === 'screen' ? 'the live screen' : c)).join(', ');
    const what = command === 'screen' ? 'the live screen' : `tfmon ${command}`;
    return `--${kebab(name)} does not apply to ${what} (it is for ${where}; see tfmon --help)`;
  }
  return null;
}

/** The help's sections, each with the commands it is about; a flag goes to the first whose
 * commands it applies to, with a note of the other commands it applies to. */
const SECTIONS: { title: string; commands: readonly Command[] }[] = [
  { title: 'Options', commands: ALL },
  { title: 'Options of the live screen and serve', commands: ['screen', 'serve'] },
  { title: 'Options of the live screen', commands: ['screen'] },
  { title: 'Options of status and doctor', commands: ['status'] },
  { title: 'Options of record', commands: ['record'] },
  { title: 'Options of doctor', commands: ['doctor'] },
  { title: 'Options of up', commands: ['up'] },
  { title: 'Options of logs', commands: ['logs'] },
  { title: 'Options of tf-config', commands: ['tf-config'] },
  { title: 'Options of down', commands: ['down'] },
  { title: 'Options of export', commands: ['export'] },
];

const sectionOf = (spec: Spec): (typeof SECTIONS)[number] =>
  SECTIONS.find((s) => s.commands.every((c) => spec.commands.includes(c))) ?? SECTIONS[0]!;

const commandWord = (c: Command): string => (c === 'screen' ? 'live screen' : c);

/** The Options sections of `tfmon --help`, from the table: name, value, help wrapped at `width`,
 * and, where a flag's commands are not its section's, which ones. */
export function optionsHelpText(width = 100): string {
  const out: string[] = [];
  const COL = 25;
  for (const section of SECTIONS) {
    const names = (Object.keys(SPECS) as FlagName[]).filter((n) => sectionOf(SPECS[n]) === section);
    if (names.length === 0) continue;
    out.push(`  ${section.title}`);
    for (const name of names) {
      const spec = SPECS[name];
      const negated = spec.type === 'boolean' && spec.default === true;
      const long = `--${negated ? 'no-' : ''}${kebab(name)}${spec.arg ? ` ${spec.arg}` : ''}`;
      const head = `    ${spec.shortFlag ? `-${spec.shortFlag}, ` : ''}${long}`;
      const others = spec.commands.filter((c) => !section.commands.includes(c));
      const extra =
        section === SECTIONS[0] || others.length === 0 ? '' : ` [${others.map(commandWord).join(', ')} too]`;
      const words = `${spec.help}${extra}`.split(' ');
      let line = head.length + 1 < COL ? head.padEnd(COL) : `${head}\n${' '.repeat(COL)}`;
      let length = line.length - line.lastIndexOf('\n') - 1;
      for (const w of words) {
        if (length + w.length + 1 > width && length > COL) {
          line = `${line.trimEnd()}\n${' '.repeat(COL)}`;
          length = COL;
        }
        line += `${w} `;
        length += w.length + 1;
      }
      out.push(line.trimEnd());
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}
