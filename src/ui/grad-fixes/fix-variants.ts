/**
 * The runs the fixes section compares, as pure functions of the lab's spec. The baseline is the
 * network with every fix off: no residual connections, no batch normalization, and the hidden
 * activation on the output unit too (the chapter's network). Each fix is then added alone, and the
 * fixes the settings choose, together, when they are more than one. A variant the spec cannot run
 * (batch normalization of a single sample) carries the validator's message instead of a spec.
 */
import type { RunResult } from '../../engine/results.ts';
import { SpecError, validateSpec, type RunSpec } from '../../engine/spec.ts';
import type { ChartData } from '../grad-chart/chart-data.ts';

export type FixId = 'baseline' | 'residual' | 'batchnorm' | 'linear-output' | 'chosen';

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
