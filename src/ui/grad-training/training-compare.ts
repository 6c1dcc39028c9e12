/**
 * The Training section's comparison mode, as pure functions: which networks are compared (the
 * lab's settings and the chapter's presets), their initial states on one shared training set, the
 * colour range their heat-maps share, the loss chart with one curve per network, and the summary
 * row of each network at its latest step.
 */
import { parseSpec, type RunSpec } from '../../engine/spec.ts';
import { taskSpec, trainingSet } from '../../engine/tasks.ts';
import type { TrainingOptions } from '../../backends/cpu/training-options.ts';
import {
  createTrainingState,
  type TrainingRecord,
  type TrainingState,
} from '../../backends/cpu/training-state.ts';
import type { ChartData } from '../grad-chart/chart-data.ts';
import { TRAINING_PRESETS, type LayerQuantity } from './training-data.ts';

/** The id of the configuration that is the lab's own settings. */
export const LAB_CONFIG_ID = 'lab';

/** Every configuration the reader can pick, in the order they are shown. */
export const COMPARISON_CHOICES: readonly { readonly id: string; readonly label: string }[] = [
  { id: LAB_CONFIG_ID, label: 'the lab settings' },
  ...TRAINING_PRESETS.map(({ id, label }) => ({ id, label })),
];

/** What the comparison starts with: the chapter's problem and its first cure. */
export const DEFAULT_COMPARISON: readonly string[] = ['sigmoid', 'relu'];

/** One network of a comparison: the lab's spec with a preset's activation, init and fixes. */
export interface TrainingConfig {
  readonly id: string;
  readonly label: string;
  readonly spec: RunSpec;
}

export interface ComparisonPlan {
  /** The distinct networks to train, in the order of COMPARISON_CHOICES. */
  readonly configs: readonly TrainingConfig[];
  /** Picked choices left out because they are the same network as one above (e.g. the lab). */
  readonly merged: readonly { readonly id: string; readonly sameAs: string }[];
}

/** A short description of a spec's network: activation, init and fixes. */
export function describeNetwork(spec: RunSpec): string {
  const fixes = [spec.residual ? 'residual' : '', spec.batchnorm ? 'batchnorm' : ''].filter(
    Boolean,
  );
  return [spec.activation, `${spec.init} init`, ...fixes].join(', ');
}

/**
 * The networks of the picked choices (ids of COMPARISON_CHOICES; unknown ids are ignored). A
 * preset keeps the lab's sizes, seed and backend and sets its own activation, init and fixes, so
 * the networks differ only where the chapter says they should. A choice that yields the same spec
 * as an earlier one is trained once and listed in `merged`.
 */
export function comparisonPlan(selected: readonly string[], labSpec: RunSpec): ComparisonPlan {
  const configs: TrainingConfig[] = [];
  const merged: { id: string; sameAs: string }[] = [];
  const seen = new Map<string, string>();
  for (const choice of COMPARISON_CHOICES) {
    if (!selected.includes(choice.id)) continue;
    const preset = TRAINING_PRESETS.find((p) => p.id === choice.id);
    const spec = preset ? parseSpec(preset.entries, labSpec) : labSpec;
    const key = JSON.stringify(spec);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      merged.push({ id: choice.id, sameAs: earlier });
      continue;
    }
    seen.set(key, choice.id);
    const label =
      choice.id === LAB_CONFIG_ID ? `Lab settings (${describeNetwork(spec)})` : choice.label;
    configs.push({ id: choice.id, label, spec });
  }
  return { configs, merged };
}

/**
 * What one training session trains: its networks, the optimizer and task options, and, when it
 * compares several networks, the spec whose training set they all share (comparisonStates). One
 * network trains on its own training set, as the lab's settings alone always have.
 */
export interface TrainingSetup {
  readonly configs: readonly TrainingConfig[];
  /** Listed networks left out because they are the same network as one above. */
  readonly merged: ComparisonPlan['merged'];
  readonly options: TrainingOptions;
  /** The spec whose training set every compared network trains on; null for one network. */
  readonly sharedSet: RunSpec | null;
}

/**
 * The session of the listed networks (ids of COMPARISON_CHOICES, e.g. ['lab'] or
 * ['sigmoid', 'relu']) on the lab's spec: a comparison when they are at least two different
 * networks, else the one network alone. Unknown ids are ignored; none left means the lab settings.
 */
export function trainingSetup(
  labSpec: RunSpec,
  options: TrainingOptions,
  networks: readonly string[],
): TrainingSetup {
  let plan = comparisonPlan(networks, labSpec);
  if (plan.configs.length === 0) plan = comparisonPlan([LAB_CONFIG_ID], labSpec);
  const { configs, merged } = plan;
  return { configs, merged, options, sharedSet: configs.length > 1 ? labSpec : null };
}

/** Equal keys are the same training from the same initial weights (labels follow from these). */
export function setupKey(setup: TrainingSetup): string {
  return JSON.stringify([
    setup.configs.map((config) => [config.id, config.spec]),
    setup.options,
    setup.sharedSet,
  ]);
}

/**
 * The initial states of the compared networks, all on one training set: the one the lab's own
 * settings train on. A teacher task's targets come from a teacher of the student's shape and
 * activation, so each network would otherwise fit different targets; sharing the set makes the
 * inputs, targets and minibatch order identical, and only the networks differ.
 */
export function comparisonStates(
  configs: readonly TrainingConfig[],
  labSpec: RunSpec,
  options: TrainingOptions,
): TrainingState[] {
  const data = trainingSet(taskSpec(labSpec, options.task), options.task);
  return configs.map((config) => {
    const state = createTrainingState(config.spec, options);
    if (state.inputs.length !== data.inputs.length || state.targets.length !== data.targets.length)
      throw new Error(`${config.label}: its task data has another shape than the lab settings'`);
    return { ...state, samples: data.samples, inputs: data.inputs, targets: data.targets };
  });
}

/**
 * The value range of a quantity over every network's records (finite, positive values only): the
 * colour scale their heat-maps share, so equal colours mean equal values across networks. Null when
 * there is no such value.
 */
export function sharedColorRange(
  runs: readonly (readonly TrainingRecord[])[],
  quantity: LayerQuantity,
): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const records of runs)
    for (const record of records)
      for (const value of record[quantity])
        if (Number.isFinite(value) && value > 0) {
          min = Math.min(min, value);
          max = Math.max(max, value);
        }
  return min <= max ? { min, max } : null;
}

/**
 * The loss of every network on one chart: x is every step any network reached, and a network
 * that stopped (diverged) has no value beyond its last step.
 */
export function comparisonLossChart(
  runs: readonly { readonly label: string; readonly records: readonly TrainingRecord[] }[],
): ChartData {
  const steps = [...new Set(runs.flatMap((run) => run.records.map((r) => r.step)))].sort(
    (a, b) => a - b,
  );
  return {
    x: steps,
    series: runs.map((run) => {
      const loss = new Map(run.records.map((r) => [r.step, r.loss]));
      return { label: run.label, values: steps.map((step) => loss.get(step) ?? null) };
    }),
  };
}

/** Which backend trained a state, as the page shows it: "cpu (f32)", "cpu64 (f64)", "webgpu (f32)". */
export function trainedOn(state: TrainingState): string {
  return `${state.backend} (${state.precision})`;
}

/** A network's numbers at its latest step: the summary table's row. */
export interface ComparisonRow {
  readonly id: string;
  readonly label: string;
  /** What trained it (see trainedOn); null before the first step. */
  readonly trainedOn: string | null;
  readonly step: number;
  readonly loss: number;
  /** ‖ΔW⁽¹⁾‖/‖W⁽¹⁾‖ and ‖ΔW⁽ᴸ⁾‖/‖W⁽ᴸ⁾‖ at the latest step (NaN where not taken). */
  readonly firstRatio: number;
  readonly lastRatio: number;
  /** log₁₀(firstRatio / lastRatio): −3 means layer 1 moves a thousand times less than layer L. */
  readonly decades: number;
  /** Steps whose loss, gradients or update were not finite. */
  readonly nonFiniteSteps: number;
  /** The step training stopped at because it was not finite, or null. */
  readonly diverged: number | null;
}

export function comparisonRow(
  config: TrainingConfig,
  state: TrainingState | null,
  records: readonly TrainingRecord[],
): ComparisonRow {
  const last = records.at(-1);
  const ratios = last?.updateRatio;
  const firstRatio = ratios?.[0] ?? NaN;
  const lastRatio = ratios?.[ratios.length - 1] ?? NaN;
  return {
    id: config.id,
    label: config.label,
    trainedOn: state ? trainedOn(state) : null,
    step: state?.step ?? 0,
    loss: last?.loss ?? NaN,
    firstRatio,
    lastRatio,
    decades: Math.log10(firstRatio / lastRatio),
    nonFiniteSteps: records.filter((r) => r.nonFinite).length,
    diverged: state?.diverged ?? null,
  };
}

/** Orders of magnitude as the table shows them: "−3.5" (layer 1 slower), "+0.4", "not finite". */
export function formatDecades(decades: number): string {
  if (!Number.isFinite(decades)) return 'not finite';
  const rounded = Math.round(decades * 10) / 10;
  return `${rounded > 0 ? '+' : rounded < 0 ? '−' : ''}${Math.abs(rounded).toFixed(1)}`;
}
