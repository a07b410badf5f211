// cli.tsx tells the live screen from a command before meow loads: it must read argv as meow does.
import { describe, expect, it } from 'vitest';
import { FLAGS, liveScreenArgs } from '../../source/cli/flag-table.js';

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
