// Every flag of the command line, once: meow parses with this table, and cli.tsx reads it to tell
// the live screen from a command before meow is loaded (see liveScreenArgs).
import type { AnyFlags } from 'meow';

export const FLAGS = {
  network: { type: 'string', shortFlag: 'n', default: 'tf-network' },
  label: { type: 'string', shortFlag: 'l', isMultiple: true, default: [] },
  host: { type: 'string', shortFlag: 'H', isMultiple: true, default: [] },
  json: { type: 'boolean', default: false },
  interval: { type: 'string' },
  usage: { type: 'boolean', default: true },
  usageSource: { type: 'string', default: 'auto' },
  probe: { type: 'boolean', default: true },
  probeInterval: { type: 'string', default: '5' },
  probeImage: { type: 'string' },
  probeAll: { type: 'boolean', default: false },
  context: { type: 'string' },
  tail: { type: 'string', default: '200' },
  logBuffer: { type: 'string', default: '5000' },
  since: { type: 'string' },
  errors: { type: 'boolean', default: false },
  follow: { type: 'boolean', shortFlag: 'f', default: false },
  timestamps: { type: 'boolean', default: false },
  node: { type: 'string' },
  write: { type: 'string' },
  apply: { type: 'boolean', default: false },
  readOnly: { type: 'boolean', default: false },
  altScreen: { type: 'boolean', default: true },
  swarm: { type: 'boolean', default: false },
  constraint: { type: 'string', isMultiple: true, default: [] },
  tfConfigDir: { type: 'string' },
  ps: { type: 'string', default: '1' },
  workers: { type: 'string', default: '2' },
  chief: { type: 'boolean', default: false },
  evaluator: { type: 'boolean', default: false },
  image: { type: 'string' },
  port: { type: 'string', default: '2222' },
  prefix: { type: 'string', default: 'tf' },
  cpus: { type: 'string' },
  memory: { type: 'string' },
  gpus: { type: 'string' },
  publish: { type: 'string', isMultiple: true, default: [] },
  env: { type: 'string', isMultiple: true, default: [] },
  command: { type: 'string' },
  dryRun: { type: 'boolean', default: false },
  yes: { type: 'boolean', shortFlag: 'y', default: false },
  help: { type: 'boolean', shortFlag: 'h' },
  version: { type: 'boolean', shortFlag: 'v' },
} satisfies AnyFlags;

const COMMANDS = new Set(['status', 'up', 'down', 'logs', 'doctor', 'tf-config']);
const kebabToCamel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const takesValue = new Set<string>();
for (const [name, spec] of Object.entries(FLAGS) as [string, { type: string; shortFlag?: string }][]) {
  if (spec.type !== 'string') continue;
  takesValue.add(name);
  if (spec.shortFlag) takesValue.add(spec.shortFlag);
}

/** Whether these arguments ask for the live screen (no command word, no --help or --version), read
 * the way meow reads them: a flag that takes a value takes the next word unless it says `=value`. */
export function liveScreenArgs(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return false;
    if (['-h', '--help', '-v', '--version'].includes(arg)) return false;
    if (arg.startsWith('--')) {
      if (!arg.includes('=') && takesValue.has(kebabToCamel(arg.slice(2)))) i++;
    } else if (arg.startsWith('-') && arg.length > 1) {
      if (takesValue.has(arg.slice(-1))) i++;
    } else if (COMMANDS.has(arg)) {
      return false;
    } else {
      return false; // an unknown word: meow and main() will say what is wrong with it
    }
  }
  return true;
}
