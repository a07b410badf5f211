// tfmon: flags → command. The interactive screen when stdout is a terminal, `status` otherwise.
// Loaded by cli.tsx once the Node.js version is known to be supported. Commands load lazily so that
// `tfmon status` does not pay for React and Ink.
import meow from 'meow';
import type { CommonOptions } from '../commands/context.js';
import { processIo } from '../commands/context.js';
import {
  UsageError,
  parseCount,
  parseCpus,
  parseGpus,
  parseInterval,
  parseLabels,
  parseMemory,
  parseName,
  parsePort,
  parseImage,
  parseProgressRegex,
  parsePublish,
  parseSeconds,
  parseDuration,
  parseSize,
  parseTail,
  parseUsageSource,
} from '../commands/flags.js';
import { EngineError } from '../engine/errors.js';
import { RecordingError } from '../record/errors.js';
import { parseSince } from '../cluster/logs.js';
import { unexpectedErrorLine } from '../text/unexpected.js';
import { COMMANDS, FLAGS, joinDashValues, misplacedFlag, optionsHelpText } from './flag-table.js';
import { keysHelpText } from '../ui/keys.js';
import { DEFAULT_METRICS_ADDRESS, parseListenAddress, type ListenAddress } from '../metrics/address.js';

function parseMetricsAddress(value: string): ListenAddress {
  const at = parseListenAddress(value);
  if (typeof at === 'string') throw new UsageError(at);
  return at;
}

const help = `
  Usage
    $ tfmon [command] [options]

  Commands
    (none)        live screen of the cluster (when stdout is a terminal; else: status)
    status        print the cluster once: a table, or --json
    serve         no screen: serve Prometheus metrics, /status and /healthz (default 127.0.0.1:10922)
    record        no screen: record what tfmon sees, a second at a time, into a file (-o FILE);
                  record cut FILE --from T1 --to T2 -o OUT: a stretch of one, as a file of its own
    replay FILE   the screen as it was, from a recording: ←/→ a second, [/] an event, space plays
    up            create the network and a TensorFlow cluster (ps + workers) with correct TF_CONFIGs
    down          remove the cluster's containers (by label), and the network if tfmon created it
    logs NODE     a node's logs, sanitized (NODE: a container name, or worker-1, ps-0, chief)
    doctor        every problem, grouped by node, each with a fix; exit 1 if any is an error
    tf-config     the TF_CONFIG each node should have (a PyTorch job: WORLD_SIZE, MASTER_*): print it, or --apply
    export FORMAT the cluster as a file: compose (one service per task; tfmon up --from reads it back),
                  tfjob, pytorchjob, jobset or trainjob (Kubernetes); what it cannot carry, one line each

${optionsHelpText()}

  Keys (live screen; ? there lists them all, docs/keys.md too)
${keysHelpText()}

  Examples
    $ tfmon up && tfmon
    $ tfmon status --json | jq '.problems'
    $ tfmon --network my-net --label team=vision
    $ tfmon serve --network my-net            # then scrape http://127.0.0.1:10922/metrics
    $ tfmon record -o night.tfrec             # the next morning:
    $ tfmon replay night.tfrec --at 02:58
    $ tfmon doctor --at 02:58 night.tfrec
    $ tfmon export compose -o cluster.yml     # elsewhere: tfmon up --from cluster.yml
    $ tfmon export jobset | kubectl apply -f -
`;

const cli = meow(help, {
  importMeta: import.meta,
  argv: joinDashValues(process.argv.slice(2)),
  allowUnknownFlags: false,
  flags: FLAGS,
});

function parseCommand(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new UsageError(`--command must be a JSON array like '["python3","train.py"]', got ${JSON.stringify(value)}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === 'string')) {
    throw new UsageError('--command must be a non-empty JSON array of strings');
  }
  return parsed;
}

type Flags = typeof cli.flags;

/** What a command is given: the options every command shares, its flags, its arguments. */
interface Invocation {
  common: CommonOptions;
  f: Flags;
  extra: string[];
  /** No command, on a terminal: the live screen (else status). */
  liveScreen: boolean;
}

/** --retain and --max-size. */
const recordBounds = (f: Flags): { retainMs: number | null; maxBytes: number | null } => ({
  retainMs: f.retain === undefined ? null : parseDuration('retain', f.retain),
  maxBytes: f.maxSize === undefined ? null : parseSize('max-size', f.maxSize),
});

/** --record FILE beside the screen or serve (with its bounds), or null. */
function recordingOf(f: Flags): { file: string; bounds: ReturnType<typeof recordBounds> } | null {
  if (f.record === undefined) {
    if (f.retain !== undefined || f.maxSize !== undefined)
      throw new UsageError('--retain and --max-size bound a recording: give --record FILE too');
    return null;
  }
  return { file: f.record, bounds: recordBounds(f) };
}

/** Each command: its module is loaded only when it runs (status loads no React or Ink). */
const COMMAND_RUNS: Record<string, (i: Invocation) => Promise<number>> = {
  status: async ({ common, f, extra }) => {
    if (f.at !== undefined) {
      const { runStatusAt } = await import('../commands/status.js');
      return runStatusAt(extra[0]!, f.at, f.json, processIo);
    }
    const { runStatus } = await import('../commands/status.js');
    return runStatus({ ...common, json: f.json }, processIo);
  },
  replay: async ({ f, extra }) => {
    const { runReplay } = await import('../commands/replay.js');
    return runReplay(extra[0]!, f.at, processIo);
  },
  record: async ({ common, f, extra }) => {
    if (extra[0] === 'cut') {
      const { runRecordCut } = await import('../commands/record.js');
      return runRecordCut(extra[1]!, { from: f.from, to: f.to }, f.output, processIo);
    }
    if (f.from !== undefined || f.to !== undefined)
      throw new UsageError('--from and --to are for tfmon record cut FILE');
    const { runRecord, defaultRecordFile } = await import('../commands/record.js');
    return runRecord(common, f.output ?? defaultRecordFile(common.network), processIo, recordBounds(f));
  },
  up: async ({ common, f }) => {
    if (f.from !== undefined) {
      const { runUpFrom } = await import('../commands/up-from.js');
      return runUpFrom(common, f.from, f.dryRun, processIo);
    }
    const { runUp } = await import('../commands/up.js');
    const env = parseLabels(f.env);
    const framework = f.framework === 'tensorflow' || f.framework === 'pytorch' ? f.framework : null;
    if (!framework) throw new UsageError(`--framework must be tensorflow or pytorch, got "${f.framework}"`);
    if (framework === 'pytorch' && f.swarm)
      throw new UsageError('--swarm makes TensorFlow clusters only; a PyTorch job runs on one engine for now');
    return runUp(
      common,
      {
        framework,
        ps: parseCount('ps', f.ps, 1),
        workers: parseCount('workers', f.workers, 1),
        chief: f.chief,
        evaluator: f.evaluator,
        image: f.image ?? null,
        prefix: parseName('prefix', f.prefix ?? (framework === 'pytorch' ? 'ddp' : 'tf')),
        port: parsePort('port', f.port ?? (framework === 'pytorch' ? '29500' : '2222')),
        cpus: f.cpus === undefined ? null : parseCpus(f.cpus),
        memoryBytes: f.memory === undefined ? null : parseMemory(f.memory),
        gpus: f.gpus === undefined ? null : parseGpus(f.gpus),
        publish: f.publish.map(parsePublish),
        env,
        command: parseCommand(f.command),
        dryRun: f.dryRun,
        swarm: f.swarm,
        constraints: f.constraint,
      },
      processIo,
    );
  },
  serve: async ({ common, f }) => {
    const { runServe } = await import('../commands/serve.js');
    return runServe(common, parseMetricsAddress(f.metrics ?? DEFAULT_METRICS_ADDRESS), processIo, recordingOf(f));
  },
  logs: async ({ common, f, extra }) => {
    const { runLogs } = await import('../commands/logs.js');
    const since = f.since === undefined ? undefined : parseSince(f.since);
    if (since === null)
      throw new UsageError(`--since must be like 30s, 5m, 2h, 1d or 2026-11-28T10:00:00Z, got "${f.since}"`);
    // With --since, every line since then (the engine ignores since when a tail is given), as docker logs.
    const tail =
      since !== undefined && !process.argv.some((a) => a === '--tail' || a.startsWith('--tail='))
        ? 'all'
        : parseTail(f.tail);
    return runLogs(
      common,
      { node: extra[0]!, tail, since, errors: f.errors, follow: f.follow, timestamps: f.timestamps },
      processIo,
    );
  },
  doctor: async ({ common, f, extra }) => {
    if (f.at !== undefined) {
      const { runDoctorAt } = await import('../commands/doctor.js');
      return runDoctorAt(extra[0]!, f.at, f.json, processIo, f.all);
    }
    const { runDoctor } = await import('../commands/doctor.js');
    return runDoctor(common, f.json, processIo, f.all);
  },
  export: async ({ common, f, extra }) => {
    const { runExport } = await import('../commands/export.js');
    const { FORMATS } = await import('../cluster/export/output.js');
    const format = FORMATS.find((x) => x === extra[0]);
    if (!format) throw new UsageError(`export needs a format: ${FORMATS.join(', ')}; got "${extra[0]}"`);
    return runExport(
      common,
      { format, output: f.output ?? null, name: f.name === undefined ? null : parseName('name', f.name), yes: f.yes },
      f.at === undefined ? null : { file: extra[1]!, at: f.at },
      processIo,
    );
  },
  'tf-config': async ({ common, f }) => {
    const { runTfConfig } = await import('../commands/tf-config.js');
    return runTfConfig(
      common,
      { node: f.node, write: f.write, apply: f.apply, yes: f.yes, readOnly: f.readOnly },
      processIo,
    );
  },
  down: async ({ common, f }) => {
    const { runDown } = await import('../commands/down.js');
    return runDown(common, f.yes, processIo);
  },
  default: async ({ common, f, liveScreen }) => {
    if (!liveScreen) {
      const { runStatus } = await import('../commands/status.js');
      return runStatus({ ...common, json: f.json }, processIo);
    }
    // React's production build is fixed at build time (scripts/build.mjs): in React 19 the
    // development one keeps a performance measure per render (+38 MB a minute under churn,
    // measured), so a NODE_ENV=development left in a user's shell must not reach it.
    const { runScreen } = await import('../commands/screen.js');
    return runScreen(common, {
      altScreen: f.altScreen,
      metrics: f.metrics === undefined ? null : parseMetricsAddress(f.metrics),
      record: recordingOf(f),
    });
  },
};

function commonOptions(f: Flags, liveScreen: boolean): CommonOptions {
  return {
    network: parseName('network', f.network),
    labels: parseLabels(f.label),
    host: f.host[0],
    hosts: f.host,
    context: f.context,
    // Absent: the tunnel's own default (DEFAULT_SSH_PERSIST_S).
    sshPersistS: f.sshPersist === undefined ? undefined : parseSeconds('ssh-persist', f.sshPersist, 0, 86_400),
    // The live screen samples every 2 s (a frame and ~7 file reads per node each time: half the cost
    // of every second, measured); status waits one interval for CPU %, so 1 s there.
    usage: f.usage
      ? { intervalMs: parseInterval(f.interval ?? (liveScreen ? '2' : '1')), mode: parseUsageSource(f.usageSource) }
      : null,
    probe: f.probe
      ? {
          intervalMs: parseInterval(f.probeInterval, 'probe-interval'),
          helperImage: f.probeImage ? parseImage('probe-image', f.probeImage) : null,
          all: f.probeAll,
        }
      : null,
    training: f.training
      ? {
          stallAfterMs: parseSeconds('stall-after', f.stallAfter, 5, 86_400) * 1000,
          custom: f.progressRegex.map(parseProgressRegex),
        }
      : null,
    logs: {
      tail: parseTail(f.tail) === 'all' ? 5000 : (parseTail(f.tail) as number),
      capacity: parseCount('log-buffer', f.logBuffer, 100, 1_000_000),
    },
    readOnly: f.readOnly,
    tfConfigDir: f.tfConfigDir ?? null,
  };
}

async function main(): Promise<number> {
  const [command = 'default', ...extra] = cli.input;
  const f = cli.flags;
  const fromFile = (command === 'status' || command === 'doctor') && f.at !== undefined;
  const cut = command === 'record' && extra[0] === 'cut';
  const exportArgs = f.at === undefined ? 1 : 2;
  const args = cut
    ? 2
    : command === 'export'
      ? exportArgs
      : command === 'logs' || command === 'replay' || fromFile
        ? 1
        : 0;
  if (command === 'export' && extra.length < exportArgs)
    throw new UsageError(
      extra.length === 0
        ? 'export needs a format: tfmon export compose|tfjob|pytorchjob|jobset|trainjob [-o FILE]'
        : `--at reads a recording: tfmon export ${extra[0]} --at TIME FILE`,
    );
  if (cut && extra.length < 2)
    throw new UsageError('record cut needs a recording: tfmon record cut FILE --from T1 --to T2 -o OUT');
  if (command === 'logs' && extra.length === 0)
    throw new UsageError('logs needs a node: tfmon logs NODE (a container name, or worker-1, ps-0, chief)');
  if (command === 'replay' && extra.length === 0) throw new UsageError('replay needs a recording: tfmon replay FILE');
  if (fromFile && extra.length === 0) throw new UsageError(`--at reads a recording: tfmon ${command} --at TIME FILE`);
  if (extra.length > args) throw new UsageError(`unexpected argument "${extra[args]}" (see tfmon --help)`);
  const liveScreen = command === 'default' && process.stdout.isTTY === true && process.env['TERM'] !== 'dumb';
  const known = COMMANDS.find((c) => c === command);
  const misplaced = misplacedFlag(process.argv.slice(2), known ?? (liveScreen ? 'screen' : 'status'));
  if (misplaced) throw new UsageError(misplaced);
  const run = Object.hasOwn(COMMAND_RUNS, command) ? COMMAND_RUNS[command] : undefined;
  if (!run) {
    throw new UsageError(
      `unknown command "${command}": use status, serve, record, replay, logs, doctor, tf-config, export, up or down (see tfmon --help)`,
    );
  }
  return run({ common: commonOptions(f, liveScreen), f, extra, liveScreen });
}

// A reader that went away (`tfmon logs … | head`: EPIPE) or a terminal that did (an SSH session
// dropped, a closed window: EIO) ends the run quietly, as for any Unix filter; any other write error
// ends it with 1. Never an unhandled 'error' event with a stack trace on the way out.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    process.exit(error.code === 'EPIPE' || error.code === 'EIO' ? 0 : 1);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`tfmon: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof EngineError || error instanceof RecordingError) {
      process.stderr.write(`tfmon: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      // Unexpected: still one line; TFMON_DEBUG=1 shows the stack for bug reports.
      process.stderr.write(unexpectedErrorLine(error));
      process.exitCode = 1;
    }
  },
);
