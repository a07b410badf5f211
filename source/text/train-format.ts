// The training in few characters: a node's pace (the TRAIN column, status), the cluster's pace and
// ETA (the header). Pure. A node that printed no progress shows a dash, never a made-up figure.
import type { ClusterTraining, NodeTraining } from '../cluster/training.js';
import { formatDuration } from './format.js';

const perStep = (s: number): string =>
  s >= 1 ? `${s.toFixed(s >= 10 ? 0 : 1)}s/step` : `${Math.max(1, Math.round(s * 1000))}ms/step`;
export const rate = (r: number): string => `${r >= 100 ? Math.round(r) : r >= 10 ? r.toFixed(1) : r.toFixed(2)} st/s`;

/** The node's own pace as its format measures it: "18ms/step", "12.4s/rep" (the Estimator's
 * seconds per report), "0.80 st/s"; null when it printed no pace. */
export function paceOf(t: NodeTraining): string | null {
  if (t.secondsPerStep !== null && t.secondsPerStep > 0) return perStep(t.secondsPerStep);
  if (t.secondsPerReport !== null)
    return `${t.secondsPerReport >= 100 ? Math.round(t.secondsPerReport) : t.secondsPerReport.toFixed(1)}s/rep`;
  if (t.stepsPerSecond !== null) return rate(t.stepsPerSecond);
  return null;
}

/** The TRAIN cell: pace and its trend (↑ faster, ↓ slower than its last reports), or what it
 * printed when it printed no pace (an epoch), or a dash. */
export function trainCell(t: NodeTraining | undefined, ascii: boolean): string {
  if (!t) return ascii ? '-' : '–';
  const pace = paceOf(t);
  const mark = t.trend === 'up' ? (ascii ? ' +' : ' ↑') : t.trend === 'down' ? (ascii ? ' -' : ' ↓') : '';
  if (pace) return `${pace}${mark}`;
  if (t.epoch !== null) return `ep ${t.epoch}${t.epochs ? `/${t.epochs}` : ''}`;
  return t.step !== null ? `step ${t.step}` : ascii ? '-' : '–';
}

/** The header's words on the training: the cluster's pace and, when known, the ETA. */
export function clusterTrainText(c: ClusterTraining | null): string | null {
  if (!c) return null;
  const pace = c.globalStepsPerSecond === null ? 'training' : `training ${rate(c.globalStepsPerSecond)}`;
  return c.eta === null ? pace : `${pace}, ETA ${formatDuration(c.eta * 1000)}`;
}
