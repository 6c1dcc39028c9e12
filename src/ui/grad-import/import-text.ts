/**
 * The import section's sentences about a run file: what was read, the mean-field line, the
 * progress of a file being read. Pure, so they are tested in Node (tests/ui/import-text.test.ts).
 */
import type { ImportProgress } from '../../import/import-protocol.ts';
import type { RunFileHeader } from '../../import/run-format.ts';
import type { RunSummary, RunSummaryMeanField } from '../../import/run-summary.ts';

const count = (n: number): string => n.toLocaleString('en-US');

const plural = (n: number, word: string, many = `${word}s`): string =>
  `${count(n)} ${n === 1 ? word : many}`;

/** Bytes as "1.2 MB" (or "820 kB" under one megabyte). */
export function bytesText(bytes: number): string {
  if (bytes < 1e6) return `${Math.max(1, Math.round(bytes / 1e3))} kB`;
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

/** A number as the summary shows it: four significant digits, non-finite as it is. */
export function numberText(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);
}

/** "3 Linear, 1 Conv2d" in the order they first appear. */
function layerTypes(types: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${n} ${type}`).join(', ');
}

/** "Sequential, 21 layers (21 Linear)": the model, as soon as the header is read. */
export function modelText(model: string | null, types: readonly string[]): string {
  return `${model ?? 'A model'}, ${plural(types.length, 'layer')} (${layerTypes(types)})`;
}

/** The same, from a header. */
export function headerText(header: Pick<RunFileHeader, 'model' | 'layers'>): string {
  return modelText(
    header.model,
    header.layers.map((layer) => layer.type),
  );
}

/** While a file is read: "4.2 MB of 20.0 MB (21%), 420 records". */
export function progressText(progress: ImportProgress): string {
  const total = progress.totalBytes;
  const share = total ? ` (${Math.floor((100 * progress.bytes) / total)}%)` : '';
  return `${bytesText(progress.bytes)}${total ? ` of ${bytesText(total)}` : ''}${share}, ${plural(progress.records, 'record')}`;
}

/** One sentence on what was read: the model, the steps recorded, the loss, whether it closed. */
export function summaryText(summary: RunSummary): string {
  const { steps, loss } = summary;
  const model = modelText(
    summary.model,
    summary.layers.map((layer) => layer.type),
  );
  const recorded =
    steps.recorded === 0
      ? 'no step records'
      : `${plural(steps.recorded, 'record')}, step${steps.recorded === 1 ? '' : 's'} ${count(steps.first!)}${
          steps.recorded === 1 ? '' : `–${count(steps.last!)} every ${count(steps.every)}`
        }${steps.total !== null ? ` of ${count(steps.total)} planned` : ''}`;
  const lossText =
    loss.first === null || loss.last === null
      ? 'no loss recorded'
      : steps.recorded === 1
        ? `loss ${numberText(loss.first)}`
        : `loss ${numberText(loss.first)} → ${numberText(loss.last)}`;
  const recorder = summary.torch ? `, recorded with PyTorch ${summary.torch}` : '';
  const closed = summary.complete
    ? 'the recording was closed'
    : 'the recording was not closed (interrupted, or still running)';
  return `${model}${recorder}: ${recorded}; ${lossText}; ${closed}.`;
}

/** The mean-field line: the prediction's phase and parameters, or why there is none. */
export function meanFieldText(meanField: RunSummaryMeanField): string {
  if (!meanField.applicable) return `No mean-field prediction: ${meanField.reason}.`;
  const alpha = meanField.alpha === null ? '' : `, α = ${numberText(meanField.alpha)}`;
  const trend =
    meanField.gradientTrend === 'vanishing' || meanField.gradientTrend === 'exploding'
      ? `gradients ${meanField.gradientTrend} by a factor e every ${numberText(meanField.depthScale)} layers`
      : meanField.gradientTrend === 'zero'
        ? 'no gradient reaches the first layers (χ₁ = 0)'
        : 'gradients keep their size through depth';
  return (
    `Mean-field prediction at step ${count(meanField.step)} (${meanField.activation}${alpha}; ` +
    `σ_w = ${numberText(meanField.sigmaW)}, σ_b = ${numberText(meanField.sigmaB)} from the recorded norms of the hidden layers): ` +
    `${meanField.phase} phase, χ₁ = ${numberText(meanField.chi1)}, q* = ${numberText(meanField.qStar)}; ${trend}. ` +
    'It is drawn dashed over the measured ‖δ⁽ˡ⁾‖ below.'
  );
}
