/**
 * The runs the fixes section compares, as pure functions of the lab's spec. The baseline is the
 * network with every fix off: no residual connections, no batch normalization, and the hidden
 * activation on the output unit too (the chapter's network). Each fix is then added alone, and the
 * fixes the settings choose, together, when they are more than one. A variant the spec cannot run
 * (batch normalization of a single sample) carries the validator's message instead of a spec.
 */
import {
  firstToLastRatio,
  gradientVerdict,
  type VerdictKind,
} from '../../engine/gradient-verdict.ts';
import type { RunResult } from '../../engine/results.ts';
import { SpecError, validateSpec, type RunSpec } from '../../engine/spec.ts';
import type { ChartData } from '../grad-chart/chart-data.ts';

/**
 * The variants, as the `fixes` attribute lists them: the baseline, each fix alone, and `chosen`,
 * the settings' own combination (present only when it is none of the others).
 */
export const FIX_IDS = ['baseline', 'residual', 'batchnorm', 'linear-output', 'chosen'] as const;
export type FixId = (typeof FIX_IDS)[number];

export interface FixSettings {
  readonly residual: boolean;
  readonly batchnorm: boolean;
  readonly linearOutput: boolean;
}

export interface FixVariant {
  readonly id: FixId;
  readonly label: string;
  /** The spec to run, or null when the validator refused it (see problem). */
  readonly spec: RunSpec | null;
  /** Why the variant cannot run: the SpecError's message, naming the field. */
  readonly problem: string | null;
  /** Is this the network the lab's settings describe? */
  readonly chosen: boolean;
}

const FIX_NAMES: Readonly<Record<keyof FixSettings, string>> = {
  residual: 'residual',
  batchnorm: 'batch norm',
  linearOutput: 'linear output',
};

export function fixSettings(spec: RunSpec): FixSettings {
  return {
    residual: spec.residual,
    batchnorm: spec.batchnorm,
    linearOutput: spec.outputActivation === 'linear',
  };
}

function withFixes(spec: RunSpec, fixes: FixSettings): RunSpec {
  return {
    ...spec,
    residual: fixes.residual,
    batchnorm: fixes.batchnorm,
    outputActivation: fixes.linearOutput ? 'linear' : 'same',
  };
}

function describe(fixes: FixSettings): string {
  const on = (Object.keys(FIX_NAMES) as (keyof FixSettings)[]).filter((key) => fixes[key]);
  return on.length === 0 ? 'no fixes' : on.map((key) => FIX_NAMES[key]).join(' + ');
}

const sameFixes = (a: FixSettings, b: FixSettings): boolean =>
  a.residual === b.residual && a.batchnorm === b.batchnorm && a.linearOutput === b.linearOutput;

export function fixVariants(spec: RunSpec): FixVariant[] {
  const chosenFixes = fixSettings(spec);
  const none: FixSettings = { residual: false, batchnorm: false, linearOutput: false };
  const candidates: { id: FixId; fixes: FixSettings }[] = [
    { id: 'baseline', fixes: none },
    { id: 'residual', fixes: { ...none, residual: true } },
    { id: 'batchnorm', fixes: { ...none, batchnorm: true } },
    { id: 'linear-output', fixes: { ...none, linearOutput: true } },
  ];
  if (!candidates.some((c) => sameFixes(c.fixes, chosenFixes))) {
    candidates.push({ id: 'chosen', fixes: chosenFixes });
  }
  return candidates.map(({ id, fixes }) => {
    const chosen = sameFixes(fixes, chosenFixes);
    const name =
      id === 'baseline' ? 'no fixes' : id === 'chosen' ? describe(fixes) : `+ ${describe(fixes)}`;
    const label = chosen ? `${name} (your settings)` : name;
    try {
      return { id, label, spec: validateSpec(withFixes(spec, fixes)), problem: null, chosen };
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      return { id, label, spec: null, problem: error.message, chosen };
    }
  });
}

export interface FixRun {
  readonly variant: FixVariant;
  readonly result: RunResult;
}

export type LayerQuantity = 'gradNorm' | 'activationStd' | 'deadFraction' | 'saturatedFraction';

/** One chart: a per-layer quantity, one series per run, layers 1…L on x. */
export function fixesChart(runs: readonly FixRun[], quantity: LayerQuantity): ChartData {
  const layers = runs[0]?.result.stats.layerCount ?? 0;
  return {
    x: Array.from({ length: layers }, (_, i) => i + 1),
    series: runs.map(({ variant, result }) => ({
      label: variant.label,
      values: result.stats[quantity],
    })),
  };
}

/** The per-layer statistics grad-fixes-plot draws, as its `stat` attribute names them. */
export const FIX_STATS = ['grad', 'std', 'dead', 'saturated'] as const;
export type FixStat = (typeof FIX_STATS)[number];

export const FIX_STAT_INFO: Readonly<
  Record<FixStat, { quantity: LayerQuantity; title: string; yLabel: string; logY: boolean }>
> = {
  grad: { quantity: 'gradNorm', title: 'Gradient norm per layer', yLabel: '‖δ⁽ˡ⁾‖', logY: true },
  std: {
    quantity: 'activationStd',
    title: 'Activation std per layer',
    yLabel: 'std of a⁽ˡ⁾',
    logY: true,
  },
  dead: {
    quantity: 'deadFraction',
    title: 'Dead units per layer (φ(z) = 0 on every sample)',
    yLabel: 'dead fraction',
    logY: false,
  },
  saturated: {
    quantity: 'saturatedFraction',
    title: 'Saturated units per layer (|φ′(z)| ≤ 10⁻³·max|φ′|)',
    yLabel: 'saturated fraction',
    logY: false,
  },
};

/** A variant's planned run: equal keys are one run (shared between the fixes figures). */
export interface PlannedFix {
  readonly key: string;
  readonly spec: RunSpec;
  readonly variant: FixVariant;
}

/**
 * The variants of the spec that `fixes` lists, in the chart's order, and the runs of those the
 * validator accepts. A listed `chosen` is left out when the settings' fixes are one of the others.
 */
export function planFixes(
  spec: RunSpec,
  fixes: readonly FixId[],
): { variants: FixVariant[]; runs: PlannedFix[] } {
  const variants = fixVariants(spec).filter((variant) => fixes.includes(variant.id));
  const runs = variants.flatMap((variant) =>
    variant.spec ? [{ key: JSON.stringify(variant.spec), spec: variant.spec, variant }] : [],
  );
  return { variants, runs };
}

/** One row of the first-to-last-layer table. */
export interface FixesTableRow {
  readonly id: FixId;
  readonly label: string;
  /** ‖δ⁽¹⁾‖ */
  readonly first: number;
  /** ‖δ⁽ᴸ⁾‖, the output layer's. */
  readonly output: number;
  /** ‖δ⁽¹⁾‖ / ‖δ⁽ᴸ⁾‖ */
  readonly ratio: number;
  readonly verdict: VerdictKind;
  readonly verdictText: string;
}

/** How much of the output layer's gradient reaches layer 1, per run. */
export function fixesTableRows(runs: readonly FixRun[]): FixesTableRow[] {
  return runs.map(({ variant, result }) => {
    const norms = result.stats.gradNorm;
    const verdict = gradientVerdict(norms);
    return {
      id: variant.id,
      label: variant.label,
      first: norms[0]!,
      output: norms[norms.length - 1]!,
      ratio: firstToLastRatio(norms),
      verdict: verdict.kind,
      verdictText: verdict.text,
    };
  });
}

/** A statistic for a table cell: 4 significant digits, or the non-finite value as it is. */
export function formatFixValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value === 0 ? '0' : value.toPrecision(4);
}
