import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answers, isProbeableHost, parseProbeOutput, probeInput } from '../../source/cluster/probe.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('probe protocol', () => {
  it("writes one line per target and the end line with the request's number", () => {
    expect(
      probeInput(
        [
          { host: 'tf-ps-0', port: 2222 },
          { host: 'tf-worker-1', port: 2223 },
        ],
        7,
      ),
    ).toBe('tf-ps-0 2222\ntf-worker-1 2223\n. 7\n');
    expect(probeInput([], 1)).toBe('. 1\n');
  });

  it("takes only the results of the request it waits for: another request's end line drops what came before it", () => {
    const late = 'R a 1 ok 10.0.0.1 ok 3 getent+python3\n. 4\n';
    const own = 'R b 2 ok 10.0.0.2 refused 1 getent+python3\n. 5\n';
    expect(parseProbeOutput(late + own, 5)).toEqual({
      complete: true,
      results: [expect.objectContaining({ host: 'b', tcp: 'refused' })],
    });
    expect(parseProbeOutput(late, 5)).toEqual({ complete: false, results: [] });
    expect(parseProbeOutput(own, 4).complete).toBe(false);
  });

  it('an answer is the answer to a target only when it names it (a refused name comes back as ?)', () => {
    const r = parseProbeOutput(fixture('probe-busybox.out')).results;
    const asked = fixture('probe-busybox.in')
      .split('\n')
      .filter((l) => l && l !== '.')
      .map((l) => ({ host: l.split(' ')[0]!, port: Number(l.split(' ')[1]) }));
    expect(r.map((x, i) => answers(x, asked[i]!))).toEqual([true, true, true, true, true, true]);
    expect(answers(r[0]!, asked[1]!)).toBe(false); // same host, another port
    expect(answers(r[4]!, asked[0]!)).toBe(false);
  });

  it('parses a recorded round from a busybox node: ok, refused, NXDOMAIN, a refused name, a timeout', () => {
    const { results, complete } = parseProbeOutput(fixture('probe-busybox.out'));
    expect(complete).toBe(true);
    expect(results.map((r) => [r.host, r.port, r.dns, r.tcp])).toEqual([
      ['tf-ps-0', 2222, 'ok', 'ok'],
      ['tf-ps-0', 9, 'ok', 'refused'],
      ['nosuchhost', 2222, 'nxdomain', 'skipped'],
      ['?', 0, 'error', 'skipped'],
      ['tf-worker-1', 2222, 'ok', 'ok'],
      ['172.21.0.250', 2222, 'ok', 'timeout'],
    ]);
    expect(results[0]?.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(results[0]?.tools).toBe('nslookup+nc');
    expect(results[2]?.ip).toBe(null);
    expect(results[5]?.ms).toBeGreaterThanOrEqual(1900);
    expect(results[3]?.tools).toBe('refused-name');
  });

  it('answers every target of the input in order, hiding the refused name', () => {
    const asked = fixture('probe-busybox.in')
      .split('\n')
      .filter((l) => l && l !== '.')
      .map((l) => l.split(' ')[0]);
    const { results } = parseProbeOutput(fixture('probe-busybox.out'));
    expect(results.map((r) => r.host)).toEqual(asked.map((h) => (h === '-x;rm' ? '?' : h)));
  });

  it('accepts plain host names and addresses only', () => {
    expect(['tf-ps-0', 'worker.example.com', '172.18.0.2', 'fe80::1'].every(isProbeableHost)).toBe(true);
    expect(['', '-rf', '$(touch x)', 'a b', 'a;b', '../x'].some(isProbeableHost)).toBe(false);
  });

  it('skips noise and truncated lines, and says when the round is not complete', () => {
    const text =
      'sh: warning\nR a 1 ok 10.0.0.1 ok 3 getent+python3\nR b 2 ok 10.0.0.2\nR c x ok - ok 1 t\nR d 4 maybe - ok 1 t\n';
    const { results, complete } = parseProbeOutput(text);
    expect(results.map((r) => r.host)).toEqual(['a']);
    expect(complete).toBe(false);
  });
});
