// Log decoding and reading, on recorded Docker log streams (test/fixtures/SOURCES.md) and hostile input.
import { describe, expect, it } from 'vitest';
import {
  compileSearch,
  hostJupyterUrl,
  jupyterUrlOf,
  lastErrorOf,
  levelOf,
  parseSince,
  splitTimestamp,
} from '../../source/cluster/logs.js';
import { MAX_LINE } from '../../source/engine/log-decoder.js';
import { decode, fixture, hostileLines } from '../helpers/logs.js';
import { timeKey, toLogLine } from '../../source/monitor/log-follower.js';
import { FOLLOWING, logWindow, moveLog } from '../../source/ui/log-window.js';

describe('log decoding', () => {
  it('splits frames cut anywhere, keeps order and which stream each line came from', () => {
    const lines = decode(fixture('logs-hostile.frames'), false, 5);
    expect(lines).toHaveLength(15);
    expect(lines.map((l) => l.stream).filter((s) => s === 'stderr')).toHaveLength(2);
    const texts = lines.map((l) => splitTimestamp(l.line)[1]);
    expect(texts[0]).toBe('plain one');
    // Order holds within a stream (stdout and stderr are separate pipes: Docker may interleave them).
    expect(
      lines
        .filter((l) => l.stream === 'stdout')
        .map((l) => splitTimestamp(l.line)[1])
        .at(-1),
    ).toBe('last line');
    expect(lines.find((l) => l.line.includes('ERROR something failed'))?.stream).toBe('stderr');
  });

  it('makes every hostile line safe: no escape, control or overwrite survives', () => {
    const lines = hostileLines();
    const text = lines.map((l) => l.text);
    for (const t of text) expect(t).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(text).toContain('title  after'); // OSC 0 (window title) gone with its payload
    expect(text).toContain('clip  after'); // OSC 52 (clipboard) gone with its payload
    expect(text).toContain('cursor  moved');
    expect(text).toContain('reset  after');
    expect(text).toContain('progress 100%'); // a carriage return overwrites: what shows is the last
    expect(text).toContain('backspace');
    expect(text).toContain('bad utf8 \ufffd\ufffd end');
    expect(text).toContain('dcs  after');
    expect(text).toContain('apc  after');
    expect(text).toContain('color red plain');
    expect(text).toContain('c1 csi  after');
    expect(text.join('\n')).not.toMatch(/pwned|cm0gLXJmIH4|payload|hidden/);
  });

  it('classifies levels: errors and TensorFlow warnings', () => {
    const lines = hostileLines();
    expect(lines.find((l) => l.text === 'ERROR something failed')?.level).toBe('error');
    expect(lines.find((l) => l.text === 'W tensorflow: a warning')?.level).toBe('warning');
    expect(lastErrorOf(lines)).toBe('ERROR something failed');
  });

  it('reads a TTY container (no frames, CRLF endings) as one stream', () => {
    const lines = decode(fixture('logs-tty.raw'), true);
    expect(lines.map((l) => l.stream)).toEqual(['stdout', 'stdout', 'stdout']);
    expect(lines.map((l, i) => toLogLine(i, 'c', l.stream, l.line).text)).toEqual(['tty out', 'tty err', 'done']);
  });

  it('cuts a 1 MB line at the cap, with a marker, without holding it whole', () => {
    const big = Buffer.concat([
      Buffer.from('2026-11-28T11:45:28.1Z '),
      Buffer.alloc(1 << 20, 'x'),
      Buffer.from('\nnext\n'),
    ]);
    const header = Buffer.alloc(8);
    header[0] = 1;
    header.writeUInt32BE(big.length, 4);
    const lines = decode(Buffer.concat([header, big]), false, 65536);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.line.length).toBeLessThan(MAX_LINE + 40);
    expect(lines[0]!.line).toMatch(/\[\.\.\. \d+ more characters\]$/);
    expect(splitTimestamp(lines[1]!.line)[1]).toBe('next');
  });
});

describe('reading logs', () => {
  it.each([
    ['E1128 11:40:00.123456  1234 master.cc:99] Check failed: x', 'error'],
    ['2026-11-28 11:40:00.1: E tensorflow/core/framework/op_kernel.cc: OOM when allocating tensor', 'error'],
    ['Traceback (most recent call last):', 'error'],
    ['tensorflow.python.framework.errors_impl.UnavailableError: failed to connect to all addresses', 'error'],
    ['ResourceExhaustedError: OOM', 'error'],
    ['W1128 11:40:00.1 grpc: retrying', 'warning'],
    ['WARNING:tensorflow:Using a while_loop for converting', 'warning'],
    ['I tfsim: step 10 loss 0.3', null],
    ['Errors are logged below', null],
  ])('%s → %s', (text, level) => expect(levelOf(text)).toBe(level));

  it('searches by substring (any case) or by /regex/; a bad regex is an error, not a crash', () => {
    expect(compileSearch('loss').test('step 1 LOSS 2')).toBe(true);
    expect(compileSearch('/step \\d+ loss/').test('step 12 loss 0.1')).toBe(true);
    expect(compileSearch('/step (/').error).toMatch(/not a regular expression/);
  });

  it('rewrites a Jupyter URL to the published host port', () => {
    const found = jupyterUrlOf('    or http://127.0.0.1:8888/lab?token=3f9a0c7e1b2d');
    expect(found).toEqual({ url: 'http://127.0.0.1:8888/lab?token=3f9a0c7e1b2d', port: 8888 });
    const ports = [{ containerPort: 8888, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8889 }];
    expect(hostJupyterUrl(found!, ports)).toBe('http://127.0.0.1:8889/lab?token=3f9a0c7e1b2d');
    expect(hostJupyterUrl(found!, [])).toBeNull();
    expect(jupyterUrlOf('http://x:8888/?token=abc\u0007;rm')?.url).toBe('http://x:8888/?token=abc');
  });

  it('parses --since', () => {
    const now = Date.parse('2026-11-28T12:00:00Z');
    expect(parseSince('5m', now)).toBe(now / 1000 - 300);
    expect(parseSince('2026-11-28T11:00:00Z', now)).toBe(now / 1000 - 3600);
    expect(parseSince('yesterday', now)).toBeNull();
  });

  it('orders Docker timestamps of different precision', () => {
    expect(timeKey('2026-11-28T11:45:28.1Z') > timeKey('2026-11-28T11:45:28.09Z')).toBe(true);
  });
});

describe('log window', () => {
  const lines = hostileLines();
  it('follows the newest lines; paging up pauses, G follows again', () => {
    expect(logWindow(lines, FOLLOWING, 4).lines.at(-1)?.seq).toBe(lines.at(-1)?.seq);
    const up = moveLog(lines, FOLLOWING, 4, 'pageUp');
    expect(up.anchor).not.toBeNull();
    const w = logWindow(lines, up, 4);
    expect(w.below).toBe(4);
    expect(moveLog(lines, up, 4, 'bottom').anchor).toBeNull();
  });

  it('e jumps to the latest error; a filter keeps matching lines only', () => {
    const at = moveLog(lines, FOLLOWING, 4, 'lastError');
    const w = logWindow(lines, at, 4);
    expect(w.lines.some((l) => l.seq === at.mark && l.level === 'error')).toBe(true);
    const f = logWindow(lines, { ...FOLLOWING, filter: '/^(title|clip) /' }, 10);
    expect(f.lines.map((l) => l.text)).toEqual(['title  after', 'clip  after']);
  });
});
