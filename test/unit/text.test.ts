import { describe, expect, it } from 'vitest';
import { sanitize } from '../../source/text/sanitize.js';
import { fit, textWidth, truncate } from '../../source/text/width.js';
import { formatDuration, stateLabel } from '../../source/text/format.js';
import { toNodeView } from '../../source/cluster/role.js';
import { facts } from '../helpers/facts.js';

describe('sanitize', () => {
  it.each([
    ['colors', 'a\u001b[31mred\u001b[0m', 'ared'],
    ['cursor moves and clears', '\u001b[2J\u001b[Hx\u001b[10;5H', 'x'],
    ['window title (OSC)', '\u001b]0;pwned\u0007name', 'name'],
    ['clipboard (OSC 52)', '\u001b]52;c;ZXZpbA==\u001b\\ok', 'ok'],
    ['DCS', '\u001bPq#0;2;0;0;0\u001b\\after', 'after'],
    ['reset ESC c', 'x\u001bcy', 'xy'],
    ['bare ESC at the end', 'x\u001b', 'x'],
    ['C1 CSI', 'a\u009b31mb', 'ab'],
    ['backspaces and bell', 'ab\b\u0007c', 'abc'],
    ['carriage return overwrite', 'progress 10%\rprogress 100%', 'progress 100%'],
    ['tabs', 'a\tb', 'a  b'],
    ['bidi override', 'abc\u202edef', 'abcdef'],
  ])('strips %s', (_n, input, out) => expect(sanitize(input)).toBe(out));
  it('keeps ordinary unicode', () => expect(sanitize('tf-wörker-0 ✓ 日本')).toBe('tf-wörker-0 ✓ 日本'));
});

describe('width', () => {
  it('counts wide characters twice', () => expect(textWidth('日本a')).toBe(5));
  it('truncates with an ellipsis, or ~ in ASCII mode', () => {
    expect(truncate('tf-worker-1234567', 10)).toBe('tf-worker…');
    expect(truncate('tf-worker-1234567', 10, true)).toBe('tf-worker~');
    expect(truncate('short', 10)).toBe('short');
    expect(textWidth(truncate('日本語日本語', 5))).toBeLessThanOrEqual(5);
  });
  it('pads to the exact width', () => {
    expect(fit('ab', 4)).toBe('ab  ');
    expect(fit('ab', 4, false, 'right')).toBe('  ab');
  });
});

describe('format', () => {
  it.each([
    [0, '0s'],
    [59_000, '59s'],
    [61_000, '1m'],
    [3_599_000, '59m'],
    [3_723_000, '1h02m'],
    [90_000_000, '1d1h'],
  ])('%d ms → %s', (ms, s) => expect(formatDuration(ms)).toBe(s));
  it('labels states', () => {
    expect(stateLabel(toNodeView(facts({ state: 'exited', exitCode: 1, restarts: 3 })))).toBe('exited (1) ↻3');
    expect(stateLabel(toNodeView(facts({ health: 'unhealthy' })))).toBe('running (unhealthy)');
  });
});
