import { describe, expect, it } from 'vitest';
import {
  parseCount,
  parseGpus,
  parseLabels,
  parseMemory,
  parseName,
  parsePublish,
  UsageError,
} from '../../source/commands/flags.js';

describe('flag parsers', () => {
  it('parse good values', () => {
    expect(parseCount('workers', '3', 1)).toBe(3);
    expect(parseMemory('512m')).toBe(512 * 1024 ** 2);
    expect(parseMemory('8g')).toBe(8 * 1024 ** 3);
    expect(parseMemory('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseGpus('all')).toEqual({ count: -1, deviceIds: null });
    expect(parseGpus('2')).toEqual({ count: 2, deviceIds: null });
    expect(parseGpus('"device=0,1"')).toEqual({ count: 0, deviceIds: ['0', '1'] });
    expect(parsePublish('8888')).toEqual({ hostBase: 8888, containerPort: 8888 });
    expect(parsePublish('9000:8888')).toEqual({ hostBase: 9000, containerPort: 8888 });
    expect(parseLabels(['tfmon.test=abc', 'flag'])).toEqual({ 'tfmon.test': 'abc', flag: '' });
  });
  it.each([
    () => parseCount('workers', 'two', 1),
    () => parseCount('workers', '0', 1),
    () => parseMemory('lots'),
    () => parseMemory('1k'),
    () => parseGpus('some'),
    () => parsePublish('88:88:88'),
    () => parseLabels(['=x']),
    () => parseName('network', '../etc'),
  ])('refuse bad values with a UsageError (%#)', (f) => {
    expect(f).toThrow(UsageError);
  });
});
