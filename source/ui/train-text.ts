// The details pane's lines on a node's training. Pure.
import type { NodeTraining } from '../cluster/training.js';
import { formatDuration } from '../text/format.js';
import { paceOf, rate } from '../text/train-format.js';
import { bar, sparkline } from '../text/spark.js';
import type { DetailLine } from './detail-lines.js';

const ago = (ms: number): string => (ms < 1000 ? 'just now' : `${formatDuration(ms)} ago`);

/** The details pane's lines for a node's training. `printsNone`: the cluster trains, this node
 * prints no progress (a ps, or a worker under ParameterServerStrategy). */
export function trainLines(
  t: NodeTraining | undefined,
  now: number,
  width: number,
  ascii: boolean,
  printsNone: boolean,
): DetailLine[] {
  if (!t)
    return printsNone
      ? [
          {
            label: 'train',
            value: 'prints no progress (under ParameterServerStrategy only the chief does; a ps never)',
            tone: 'dim',
          },
        ]
      : [];
  const parts: string[] = [];
  if (t.step !== null) parts.push(`step ${t.step.toLocaleString('en-US')}`);
  if (t.epoch !== null) {
    const of = t.epochs ? `${t.epoch}/${t.epochs}` : String(t.epoch);
    parts.push(
      `epoch ${of}${t.done !== null && t.total ? ` ${bar(t.done / t.total, 10, ascii)} ${t.done}/${t.total}` : ''}`,
    );
  } else if (t.done !== null && t.total) parts.push(`${bar(t.done / t.total, 10, ascii)} ${t.done}/${t.total}`);
  const pace = paceOf(t);
  if (pace) parts.push(pace + (t.trend === 'up' ? ' (faster)' : t.trend === 'down' ? ' (slower)' : ''));
  if (t.globalStepsPerSecond !== null && t.format === 'estimator') parts.push(`global ${rate(t.globalStepsPerSecond)}`);
  const lines: DetailLine[] = [{ label: 'train', value: `${parts.join(' · ') || t.format}` }];
  if (t.loss !== null) {
    const w = Math.max(10, Math.min(60, width - 11 - 14));
    const shown = t.lossHistory.slice(-w);
    const top = Math.max(...shown.filter(Number.isFinite), 0);
    lines.push({
      label: 'loss',
      value: `${shown.length > 1 ? `${sparkline(shown, w, ascii, top)} ` : ''}${formatLoss(t.loss)}`,
    });
  }
  const metrics = Object.entries(t.metrics)
    .slice(0, 6)
    .map(([k, v]) => `${k} ${formatLoss(v)}`);
  if (metrics.length) lines.push({ label: 'metrics', value: metrics.join(', ') });
  lines.push({
    label: 'progress',
    value: t.lastProgressAt === null ? 'not moving yet' : `last moved ${ago(now - t.lastProgressAt)}`,
    ...(t.lastProgressAt === null ? { tone: 'dim' as const } : {}),
  });
  return lines;
}

function formatLoss(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : v.toFixed(4);
}
