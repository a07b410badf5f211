// cli.tsx tells the live screen from a command before meow loads: it must read argv as meow does.
import { describe, expect, it } from 'vitest';
import { FLAGS, joinDashValues, liveScreenArgs, misplacedFlag, optionsHelpText } from '../../source/cli/flag-table.js';

describe('liveScreenArgs', () => {
  it.each([
    [[], true],
    [['--network', 'status'], true], // a network named like a command is a value, not the command
    [['-n', 'logs', '--no-probe'], true],
    [['--network=doctor', '--probe-interval', '2'], true],
    [['--host', 'unix:///x.sock', '-H', 'ssh://a@b', '--no-alt-screen'], true],
    [['status'], false],
    [['--network', 'x', 'logs', 'worker-0'], false],
    [['--help'], false],
    [['-v'], false],
    [['frobnicate'], false],
  ])('%j → %s', (args, live) => {
    expect(liveScreenArgs(args)).toBe(live);
  });

  it('every flag that takes a value is one meow reads as a string', () => {
    for (const [name, spec] of Object.entries(FLAGS)) {
      expect(['string', 'boolean'], name).toContain(spec.type);
    }
  });
});

describe('flags per command', () => {
  it.each([
    [
      ['status', '--tail', '5'],
      'status',
      '--tail does not apply to tfmon status (it is for the live screen, logs; see tfmon --help)',
    ],
    [
      ['logs', 'w-0', '--json'],
      'logs',
      '--json does not apply to tfmon logs (it is for status, doctor; see tfmon --help)',
    ],
    [['--workers=3'], 'screen', '--workers does not apply to the live screen (it is for up; see tfmon --help)'],
    [
      ['--metrics', '9999'],
      'status',
      '--metrics does not apply to tfmon status (it is for the live screen, serve; see tfmon --help)',
    ],
    [['--metrics', '9999', '--probe-interval', '2'], 'serve', null],
    [
      ['--no-usage', 'doctor'],
      'doctor',
      '--usage does not apply to tfmon doctor (it is for the live screen, status, serve, record; see tfmon --help)',
    ],
    [['down', '-y', '-n', 'x'], 'down', null],
    [['tf-config', '--read-only', '--apply', '--yes'], 'tf-config', null],
    [['--read-only', '--tf-config-dir', 'd', '--no-alt-screen'], 'screen', null],
  ] as const)('%j as %s', (args, command, error) => {
    expect(misplacedFlag(args, command)).toBe(error);
  });

  it('every flag has help and at least one command; the help lists each once', () => {
    const help = optionsHelpText();
    for (const [name, spec] of Object.entries(FLAGS)) {
      expect(spec.help.length, name).toBeGreaterThan(5);
      expect(spec.commands.length, name).toBeGreaterThan(0);
      const kebab = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      const word = 'default' in spec && spec.default === true ? `--no-${kebab}` : `--${kebab}`;
      expect(help.match(new RegExp(`^ {4}(-\\w, )?${word}\\b`, 'gm')), name).toHaveLength(1);
    }
  });
});

describe('joinDashValues', () => {
  it("joins a string flag's value that starts with a dash and a digit, and nothing else", () => {
    expect(joinDashValues(['status', '--at', '-5m', 'f.tfrec'])).toEqual(['status', '--at=-5m', 'f.tfrec']);
    expect(joinDashValues(['status', '--json', '-5'])).toEqual(['status', '--json', '-5']); // --json takes no value
    expect(joinDashValues(['status', '--at', '-x'])).toEqual(['status', '--at', '-x']);
    expect(joinDashValues(['--network', 'n', '--at=-5m'])).toEqual(['--network', 'n', '--at=-5m']);
  });
});
