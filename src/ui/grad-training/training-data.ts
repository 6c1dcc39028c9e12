/**
 * What the Training section shows, as pure functions of the training records: the loss curve,
 * the layers × steps heat-maps, the summary sentences, the presets and the form's parsing.
 */
import type { RunSpec } from '../../engine/spec.ts';
import { SpecError } from '../../engine/spec.ts';
import type { TaskName } from '../../engine/tasks.ts';
import {
  parseSteps,
  parseTrainingOptions,
  type OptimizerName,
  type TrainingOptions,
} from '../../backends/cpu/training-options.ts';
import type { TrainingRecord } from '../../backends/cpu/training-state.ts';
import type { ChartData } from '../grad-chart/chart-data.ts';

/** Steps per worker job: Pause takes effect after the chunk in progress. */
export const CHUNK_STEPS = 10;
/** Steps a page run may ask for. */
export const PAGE_MAX_STEPS = 5000;
export const DEFAULT_PAGE_STEPS = 200;

/** The form as typed. */
export interface TrainingDraft {
  readonly task: TaskName;
  readonly optimizer: OptimizerName;
  readonly lr: string;
  readonly steps: string;
}

export const DEFAULT_DRAFT: TrainingDraft = {
  task: 'teacher',
  optimizer: 'sgd',
  lr: '0.1',
  steps: String(DEFAULT_PAGE_STEPS),
};

/** Parses the form; throws SpecError naming the field (lr, steps, …). */
export function parseDraft(draft: TrainingDraft): { options: TrainingOptions; steps: number } {
  const options = parseTrainingOptions({
    task: draft.task,
    optimizer: draft.optimizer,
    lr: draft.lr,
  });
  const steps = parseSteps(draft.steps);
  if (steps > PAGE_MAX_STEPS)
    throw new SpecError(
      'steps',
      `got ${steps}; allowed on this page: 1 to ${PAGE_MAX_STEPS} (the CLI trains longer runs)`,
    );
  return { options, steps };
}

/** A configuration from the chapter: spec entries for the lab, and a learning rate that suits. */
export interface TrainingPreset {
  readonly id: string;
  readonly label: string;
  /** URL-style entries for `grad-state-change` (alpha, sigma-w and gain reset so they apply). */
  readonly entries: Readonly<Record<string, string>>;
  readonly lr: string;
}

const plain = { alpha: '0', 'sigma-w': '1', gain: '1', residual: 'false', batchnorm: 'false' };

export const TRAINING_PRESETS: readonly TrainingPreset[] = [
  {
    id: 'sigmoid',
    label: 'sigmoid + Xavier (the chapter)',
    entries: { ...plain, activation: 'sigmoid', init: 'xavier' },
    lr: '0.1',
  },
  {
    id: 'relu',
    label: 'ReLU + He',
    entries: { ...plain, activation: 'relu', init: 'he' },
    lr: '0.03',
  },
  {
    id: 'residual',
    label: 'tanh + Xavier + residual',
    entries: { ...plain, activation: 'tanh', init: 'xavier', residual: 'true' },
    lr: '0.03',
  },
  {
    id: 'batchnorm',
    label: 'sigmoid + Xavier + batchnorm',
    entries: { ...plain, activation: 'sigmoid', init: 'xavier', batchnorm: 'true' },
    lr: '0.1',
  },
];

/** Whether a preset's spec entries all hold in a spec (the preset is the current one). */
export function presetMatches(preset: TrainingPreset, spec: RunSpec): boolean {
  const { entries } = preset;
  return (
    spec.activation === entries.activation &&
    spec.init === entries.init &&
    String(spec.residual) === entries.residual &&
    String(spec.batchnorm) === entries.batchnorm
  );
}

export function lossChart(records: readonly TrainingRecord[]): ChartData {
  return {
    x: records.map((r) => r.step),
    series: [{ label: 'minibatch loss', values: records.map((r) => r.loss) }],
  };
}

export type LayerQuantity = 'updateRatio' | 'gradNorm';

export const QUANTITY_LABELS: Record<LayerQuantity, string> = {
  updateRatio: '‖ΔW⁽ˡ⁾‖ / ‖W⁽ˡ⁾‖',
  gradNorm: '‖∂L/∂W⁽ˡ⁾‖',
};

/**
 * Layers × steps: one heat-map column per step, cell l − 1 spanning y from l − ½ to l + ½, on a
 * log colour scale shared by the whole map (so that layers can be compared), or by several maps
 * when `colorRange` is given (so that networks can be compared).
 */
export function layerHeatmapChart(
  records: readonly TrainingRecord[],
  quantity: LayerQuantity,
  colorRange?: { readonly min: number; readonly max: number },
): ChartData {
  const layers = records[0]?.[quantity].length ?? 0;
  return {
    x: records.map((r) => r.step),
    series: [],
    heatmap: {
      label: QUANTITY_LABELS[quantity],
      columns: records.map((r) => ({ lo: 0.5, hi: layers + 0.5, values: r[quantity] })),
      normalize: 'global',
      logColor: true,
      ...(colorRange ? { colorRange } : {}),
    },
  };
}

/** Geometric mean of the finite positive values; NaN where there are none. */
function geometricMean(values: Iterable<number>): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (Number.isFinite(v) && v > 0) {
      sum += Math.log10(v);
      count++;
    }
  }
  return count ? 10 ** (sum / count) : NaN;
}

export interface LayerComparison {
  /** Geometric means over the records of layer 1's and layer L's values. */
  readonly first: number;
  readonly last: number;
  readonly layers: number;
  /** log₁₀(last / first): positive when layer 1 is slower. */
  readonly decades: number;
}

export function compareLayers(
  records: readonly TrainingRecord[],
  quantity: LayerQuantity,
): LayerComparison | null {
  const layers = records[0]?.[quantity].length ?? 0;
  if (layers < 2) return null;
  const first = geometricMean(records.map((r) => r[quantity][0]!));
  const last = geometricMean(records.map((r) => r[quantity][layers - 1]!));
  if (!Number.isFinite(first) || !Number.isFinite(last)) return null;
  return { first, last, layers, decades: Math.log10(last / first) };
}

const power = (decades: number): string => `10^${Math.abs(decades).toFixed(1)}`;

/** The chapter's claim in numbers: how much more slowly layer 1 learns than layer L. */
export function summarizeUpdates(records: readonly TrainingRecord[]): string | null {
  const comparison = compareLayers(records, 'updateRatio');
  if (!comparison) return null;
  const { decades, layers } = comparison;
  const over = `(geometric mean of ‖ΔW‖/‖W‖ over ${records.length} step${records.length === 1 ? '' : 's'})`;
  if (decades >= 0.5)
    return `Layer 1 updates ${power(decades)} times more slowly than layer ${layers} ${over}.`;
  if (decades <= -0.5)
    return `Layer 1 updates ${power(decades)} times faster than layer ${layers} ${over}.`;
  return `Layer 1 and layer ${layers} update at comparable rates, within a factor ${(10 ** Math.abs(decades)).toFixed(1)} ${over}.`;
}

/** The loss over the run: mean of the first and of the last (up to) ten finite steps. */
export function summarizeLoss(records: readonly TrainingRecord[]): string | null {
  const finite = records.filter((r) => Number.isFinite(r.loss));
  if (finite.length < 2) return null;
  const window = Math.min(10, Math.floor(finite.length / 2));
  const mean = (rs: readonly TrainingRecord[]): number =>
    rs.reduce((sum, r) => sum + r.loss, 0) / rs.length;
  const start = mean(finite.slice(0, window));
  const end = mean(finite.slice(-window));
  const change = end / start;
  const trend =
    change < 1
      ? `fell to ${(100 * change).toFixed(0)}% of its start`
      : `rose to ${change.toFixed(2)} times its start`;
  return `The loss ${trend}: ${formatNumber(start)} (mean of the first ${window} steps) → ${formatNumber(end)} (last ${window}).`;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e4
    ? value.toPrecision(4)
    : value.toExponential(2);
}
