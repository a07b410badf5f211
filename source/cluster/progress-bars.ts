// The progress PyTorch jobs print: tqdm bars (plain scripts, Hugging Face's Trainer, Lightning
// without rich), Lightning's rich bar, and Hugging Face's log dicts (transformers 5 writes their
// values as strings). Pure: one line (its last rewrite) in, what it says out.
import type { ProgressReport } from './progress.js';

const NUM = String.raw`-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
// `desc:  45%|████▌     | 45/100 [00:05<00:06,  8.81it/s, loss=0.512]`; `123it [00:05, 24.5it/s]`;
// `2/4 [00:04<00:04,  2.01s/it]`. tqdm prints "?" for a rate it does not know yet.
const TQDM = new RegExp(
  String.raw`(?:^|[\s:|])(?:\d+%\|[^|]*\|\s*(\d+)\/(\d+)|(\d+)it) \[([\d:]+)(?:<([\d:?]+))?,\s*(?:(${NUM})(it\/s|s\/it)|\?it\/s)(?:, ([^\]]*))?\]\s*$`,
);
// Lightning's rich bar: `Epoch 1/1  ━━━━━━━━ 20/20 0:00:00 •        361.67it/s train_loss: 2.483`
const RICH = new RegExp(
  String.raw`^Epoch (\d+)\/(\d+)\s+[━─╸╺ ]*\s(\d+)\/(\d+)\s+[\d:]+\s*•\s*(?:[\d:-]+\s+)?(${NUM})(it\/s|s\/it)(.*)$`,
);
// `{'loss': 0.6931, 'learning_rate': 5e-05, 'epoch': 0.5}` or with the values quoted.
const HF = /^\{'(?:loss|train_loss|eval_loss)'.*\}$/;
const HF_ITEM = new RegExp(String.raw`'(\w+)': '?(${NUM})'?`, 'g');
const POSTFIX_ITEM = new RegExp(String.raw`(\w+)=(${NUM})`, 'g');
const RICH_ITEM = new RegExp(String.raw`(\w+): (${NUM})`, 'g');

const clock = (text: string | undefined): number | undefined =>
  text && /^[\d:]+$/.test(text)
    ? text
        .split(':')
        .map(Number)
        .reduce((a, x) => a * 60 + x, 0)
    : undefined;

/** The figures of `name=value, …` (tqdm's postfix) or `name: value` (Lightning): loss apart. */
function figures(items: Iterable<RegExpMatchArray>, r: ProgressReport): void {
  const metrics: Record<string, number> = {};
  for (const m of items) {
    const [name, value] = [m[1]!, Number(m[2])];
    if (name === 'loss' || (name.endsWith('_loss') && r.loss === undefined && name.startsWith('train'))) r.loss = value;
    else metrics[name] = value;
  }
  if (Object.keys(metrics).length) r.metrics = metrics;
}

function rate(r: ProgressReport, value: string | undefined, unit: string | undefined): void {
  if (value === undefined) return;
  const v = Number(value);
  if (unit === 's/it') r.secondsPerStep = v;
  else if (v > 0) r.secondsPerStep = 1 / v;
}

export function barLine(text: string): ProgressReport | null {
  const t = TQDM.exec(text);
  if (t) {
    const r: ProgressReport = { format: 'tqdm', done: Number(t[1] ?? t[3]) };
    // A bar per epoch, its description saying which: "Epoch 3", "epoch 3/10".
    const epoch = /\bepoch[\s_:]*(\d+)(?:\s*\/\s*(\d+))?/i.exec(text.slice(0, t.index + 1));
    if (epoch) {
      r.epoch = Number(epoch[1]);
      if (epoch[2] !== undefined) r.epochs = Number(epoch[2]);
    }
    if (t[2] !== undefined) {
      r.total = Number(t[2]);
      if (r.total === 0 || r.done! > r.total) return null;
    }
    const eta = clock(t[5]);
    if (eta !== undefined && r.total !== undefined && r.done! < r.total) r.etaSeconds = eta;
    rate(r, t[6], t[7]);
    if (t[8]) figures(t[8].matchAll(POSTFIX_ITEM), r);
    return r;
  }
  const rich = RICH.exec(text);
  if (rich) {
    const r: ProgressReport = {
      format: 'tqdm',
      epoch: Number(rich[1]),
      epochs: Number(rich[2]),
      done: Number(rich[3]),
      total: Number(rich[4]),
    };
    rate(r, rich[5], rich[6]);
    figures((rich[7] ?? '').matchAll(RICH_ITEM), r);
    return r;
  }
  if (HF.test(text)) {
    const r: ProgressReport = { format: 'tqdm' };
    const items = [...text.matchAll(HF_ITEM)];
    // The epoch is fractional here (1.875): a figure, not the bar's epoch counter.
    figures(items, r);
    return r.loss === undefined && !r.metrics ? null : r;
  }
  return null;
}
