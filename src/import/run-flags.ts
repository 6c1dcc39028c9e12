/**
 * What a practitioner should notice in an imported run, each flag naming its layers and its step:
 * "layer 3: 41% dead units from step 1,200", "layers 1–4: gradient norms 10⁴× below the last
 * layer's at step 0", "non-finite gradients at step 830 (layers 3–5)". The thresholds are
 * FLAG_THRESHOLDS, documented in docs/run-format.md.
 */
import type { ImportedRun } from './run-data.ts';
import type { LayerMetric } from './run-format.ts';

export const FLAG_THRESHOLDS = {
  /** A layer's ‖δ‖ at least this many times below (or above) the last layer's. */
  gradientRatio: 1e3,
  /** Dead units: flagged from the step where the fraction reaches this and stays at or above. */
  deadFraction: 0.1,
  /**
   * Saturated (unit, sample) pairs, as dead units. Above one half: ReLU-like activations have
   * φ′ = 0 for every negative input, so about half their pairs count as saturated in any network.
   */
  saturatedFraction: 0.75,
  /**
   * The median update ratio ‖ΔW‖/‖W‖ over the recorded steps, below or above these: a layer that
   * barely learns, or updates large enough to destabilize training (a common rule of thumb puts a
   * healthy ratio near 10⁻³).
   */
  updateRatioLow: 1e-5,
  updateRatioHigh: 1e-1,
} as const;

export const RUN_FLAG_KINDS = [
  'non-finite-loss',
  'non-finite-gradients',
  'non-finite-activations',
  'non-finite-weights',
  'vanishing',
  'exploding',
  'dead',
  'saturated',
  'update-ratio-low',
  'update-ratio-high',
] as const;
export type RunFlagKind = (typeof RUN_FLAG_KINDS)[number];

export interface RunFlag {
  readonly kind: RunFlagKind;
  /** error: the run broke (non-finite values); warning: it trains badly. */
  readonly severity: 'error' | 'warning';
  /** First and last layer concerned (1-based, inclusive); [0, 0] for the loss. */
  readonly layers: readonly [number, number];
  /** The step the flag refers to: where it was seen, or from which it holds. */
  readonly step: number;
  /**
   * The headline number: the fraction (dead, saturated; the largest in the group), the largest
   * ratio to the last layer's ‖δ‖ (vanishing, exploding), the median update ratio (the most
   * extreme in the group), or the count of non-finite layers.
   */
  readonly value: number;
  readonly message: string;
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** 10 to an integer power, written 10⁴ or 10⁻¹¹. */
export function powerOfTen(exponent: number): string {
  return `10${String(exponent)
    .split('')
    .map((c) => SUPERSCRIPT[c] ?? c)
    .join('')}`;
}

/** "step 1,200". */
export function stepText(step: number): string {
  return `step ${step.toLocaleString('en-US')}`;
}

/** "layer 3" or "layers 1–4". */
export function layerText(first: number, last: number): string {
  return first === last ? `layer ${first}` : `layers ${first}–${last}`;
}

/** "41%", or "22–66%" for sorted fractions that round differently. */
function percentRange(sorted: readonly number[]): string {
  const first = Math.round(sorted[0]! * 100);
  const last = Math.round(sorted.at(-1)! * 100);
  return first === last ? `${first}%` : `${first}–${last}%`;
}

function range(values: readonly string[]): string {
  const first = values[0]!;
  const last = values.at(-1)!;
  return first === last ? first : `${first}–${last}`;
}

/** Runs of consecutive layers (1-based) sharing a key; layers with a null key are left out. */
function groups<K>(keys: readonly (K | null)[], same: (a: K, b: K) => boolean) {
  const out: { first: number; last: number; key: K }[] = [];
  keys.forEach((key, i) => {
    if (key === null) return;
    const open = out.at(-1);
    if (open && open.last === i && same(open.key, key)) open.last = i + 1;
    else out.push({ first: i + 1, last: i + 1, key });
  });
  return out;
}

function value(
  run: ImportedRun,
  metric: LayerMetric,
  record: number,
  layer: number,
): number | null {
  const i = record * run.layerCount + layer - 1;
  return run.missing[metric][i] ? null : run.metrics[metric][i]!;
}

function nonFiniteFlags(run: ImportedRun): RunFlag[] {
  const flags: RunFlag[] = [];
  const L = run.layerCount;
  const lossRecord = Array.from(run.loss).findIndex(
    (v, r) => !run.lossMissing[r] && !Number.isFinite(v),
  );
  if (lossRecord >= 0)
    flags.push({
      kind: 'non-finite-loss',
      severity: 'error',
      layers: [0, 0],
      step: run.steps[lossRecord]!,
      value: run.loss[lossRecord]!,
      message: `non-finite loss (${run.loss[lossRecord]}) at ${stepText(run.steps[lossRecord]!)}`,
    });
  const kinds: { kind: RunFlagKind; what: string; bad: (r: number, l: number) => boolean }[] = [
    {
      kind: 'non-finite-gradients',
      what: 'gradients',
      bad: (r, l) =>
        (['gradNorm', 'weightGradNorm'] as const).some((m) => {
          const v = value(run, m, r, l);
          return v !== null && !Number.isFinite(v);
        }),
    },
    {
      kind: 'non-finite-activations',
      what: 'activations',
      bad: (r, l) => {
        const i = r * L + l - 1;
        if (run.histogramNonFinite[i]! > 0) return true;
        return (['activationMean', 'activationStd'] as const).some((m) => {
          const v = value(run, m, r, l);
          return v !== null && !Number.isFinite(v);
        });
      },
    },
    {
      kind: 'non-finite-weights',
      what: 'weights',
      bad: (r, l) => {
        const v = value(run, 'weightNorm', r, l);
        return v !== null && !Number.isFinite(v);
      },
    },
  ];
  for (const { kind, what, bad } of kinds) {
    for (let r = 0; r < run.recordCount; r++) {
      const layers: number[] = [];
      for (let l = 1; l <= L; l++) if (bad(r, l)) layers.push(l);
      if (layers.length === 0) continue;
      const first = layers[0]!;
      const last = layers.at(-1)!;
      const which =
        layers.length === last - first + 1 ? layerText(first, last) : `layers ${layers.join(', ')}`;
      flags.push({
        kind,
        severity: 'error',
        layers: [first, last],
        step: run.steps[r]!,
        value: layers.length,
        message: `non-finite ${what} at ${stepText(run.steps[r]!)} (${which})`,
      });
      break;
    }
  }
  return flags;
}

/** Vanishing or exploding groups of layers at one record, relative to the last layer's ‖δ‖. */
function gradientGroups(run: ImportedRun, record: number, kind: 'vanishing' | 'exploding') {
  const L = run.layerCount;
  const reference = value(run, 'gradNorm', record, L);
  if (reference === null || !Number.isFinite(reference) || reference <= 0) return [];
  const keys: (number | null)[] = [];
  for (let l = 1; l < L; l++) {
    const norm = value(run, 'gradNorm', record, l);
    if (norm === null || !Number.isFinite(norm)) {
      keys.push(null);
      continue;
    }
    const ratio = kind === 'vanishing' ? reference / norm : norm / reference;
    keys.push(ratio >= FLAG_THRESHOLDS.gradientRatio ? ratio : null);
  }
  // Layers with no gradient at all (ratio ∞) form groups of their own.
  const found = groups(keys, (a, b) => Number.isFinite(a) === Number.isFinite(b));
  return found.map(({ first, last }) => {
    const ratios = keys.slice(first - 1, last) as number[];
    return { first, last, ratios };
  });
}

function gradientMessage(
  kind: 'vanishing' | 'exploding',
  group: { first: number; last: number; ratios: number[] },
  when: string,
): { message: string; value: number } {
  const largest = Math.max(...group.ratios);
  if (!Number.isFinite(largest))
    return {
      message: `${layerText(group.first, group.last)}: no gradient (‖δ‖ = 0) ${when}`,
      value: Infinity,
    };
  const exponents = group.ratios.map((r) => Math.floor(Math.log10(r))).sort((a, b) => a - b);
  const factors = range([...new Set(exponents)].map(powerOfTen));
  const direction = kind === 'vanishing' ? 'below' : 'above';
  return {
    message: `${layerText(group.first, group.last)}: gradient norms ${factors}× ${direction} the last layer's ${when}`,
    value: largest,
  };
}

function gradientFlags(run: ImportedRun): RunFlag[] {
  if (run.recordCount === 0) return [];
  const flags: RunFlag[] = [];
  const firstRecord = 0;
  const lastRecord = run.recordCount - 1;
  for (const kind of ['vanishing', 'exploding'] as const) {
    const atFirst = gradientGroups(run, firstRecord, kind);
    const atLast = lastRecord === firstRecord ? [] : gradientGroups(run, lastRecord, kind);
    const firstStep = run.steps[firstRecord]!;
    const lastStep = run.steps[lastRecord]!;
    for (const group of atFirst) {
      const still = atLast.some((g) => g.first === group.first && g.last === group.last);
      const when = `at ${stepText(firstStep)}${still ? ` (and still at ${stepText(lastStep)})` : ''}`;
      flags.push({
        kind,
        severity: 'warning',
        layers: [group.first, group.last],
        step: firstStep,
        ...gradientMessage(kind, group, when),
      });
    }
    for (const group of atLast) {
      if (atFirst.some((g) => g.first === group.first && g.last === group.last)) continue;
      flags.push({
        kind,
        severity: 'warning',
        layers: [group.first, group.last],
        step: lastStep,
        ...gradientMessage(kind, group, `at ${stepText(lastStep)}`),
      });
    }
  }
  return flags;
}

/**
 * Per layer, the first record from which a fraction stays at or above the threshold through the
 * last record; null where it does not end above it.
 */
function onsetRecords(
  run: ImportedRun,
  metric: 'deadFraction' | 'saturatedFraction',
  threshold: number,
) {
  const onsets: (number | null)[] = [];
  for (let l = 1; l <= run.layerCount; l++) {
    let onset: number | null = null;
    for (let r = run.recordCount - 1; r >= 0; r--) {
      const v = value(run, metric, r, l);
      if (v === null || !(v >= threshold)) break;
      onset = r;
    }
    onsets.push(onset);
  }
  return onsets;
}

function fractionFlags(run: ImportedRun): RunFlag[] {
  if (run.recordCount === 0) return [];
  const flags: RunFlag[] = [];
  const last = run.recordCount - 1;
  const kinds = [
    {
      kind: 'dead',
      metric: 'deadFraction',
      noun: 'dead units',
      threshold: FLAG_THRESHOLDS.deadFraction,
    },
    {
      kind: 'saturated',
      metric: 'saturatedFraction',
      noun: 'saturated',
      threshold: FLAG_THRESHOLDS.saturatedFraction,
    },
  ] as const;
  for (const { kind, metric, noun, threshold } of kinds) {
    const onsets = onsetRecords(run, metric, threshold);
    for (const group of groups(onsets, (a, b) => a === b)) {
      const fractions: number[] = [];
      for (let l = group.first; l <= group.last; l++) fractions.push(value(run, metric, last, l)!);
      const sorted = [...fractions].sort((a, b) => a - b);
      const step = run.steps[group.key]!;
      flags.push({
        kind,
        severity: 'warning',
        layers: [group.first, group.last],
        step,
        value: sorted.at(-1)!,
        message: `${layerText(group.first, group.last)}: ${percentRange(sorted)} ${noun} from ${stepText(step)}`,
      });
    }
  }
  return flags;
}

/** The median of the finite values; NaN when there are none. */
export function median(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

function ratioText(ratio: number): string {
  if (ratio === 0) return '0';
  const exponent = Math.floor(Math.log10(ratio));
  const mantissa = Math.round(ratio / 10 ** exponent);
  return mantissa === 1 ? powerOfTen(exponent) : `${mantissa}×${powerOfTen(exponent)}`;
}

function updateRatioFlags(run: ImportedRun): RunFlag[] {
  if (run.recordCount === 0) return [];
  const medians: number[] = [];
  for (let l = 1; l <= run.layerCount; l++) {
    const values: number[] = [];
    for (let r = 0; r < run.recordCount; r++) {
      const v = value(run, 'updateRatio', r, l);
      if (v !== null) values.push(v);
    }
    medians.push(median(values));
  }
  const firstStep = run.steps[0]!;
  const lastStep = run.steps[run.recordCount - 1]!;
  const over =
    run.recordCount === 1
      ? `at ${stepText(firstStep)}`
      : `over steps ${firstStep.toLocaleString('en-US')}–${lastStep.toLocaleString('en-US')}`;
  const flags: RunFlag[] = [];
  const low = groups(
    medians.map((m) => (m < FLAG_THRESHOLDS.updateRatioLow ? m : null)),
    () => true,
  );
  for (const group of low) {
    const values = medians.slice(group.first - 1, group.last).sort((a, b) => a - b);
    const texts = [...new Set(values.map(ratioText))];
    const none = values.every((v) => v === 0);
    flags.push({
      kind: 'update-ratio-low',
      severity: 'warning',
      layers: [group.first, group.last],
      step: firstStep,
      value: values[0]!,
      message: none
        ? `${layerText(group.first, group.last)}: the weights did not change at most steps (median update ratio 0 ${over})`
        : `${layerText(group.first, group.last)}: median update ratio ‖ΔW‖/‖W‖ ${range(texts)} ${over} (a healthy one is near 10⁻³): ${group.first === group.last ? 'it barely learns' : 'they barely learn'}`,
    });
  }
  const high = groups(
    medians.map((m) => (m > FLAG_THRESHOLDS.updateRatioHigh ? m : null)),
    () => true,
  );
  for (const group of high) {
    const values = medians.slice(group.first - 1, group.last).sort((a, b) => a - b);
    flags.push({
      kind: 'update-ratio-high',
      severity: 'warning',
      layers: [group.first, group.last],
      step: firstStep,
      value: values.at(-1)!,
      message: `${layerText(group.first, group.last)}: median update ratio ‖ΔW‖/‖W‖ ${range([...new Set(values.map(ratioText))])} ${over}: updates this large can make training unstable`,
    });
  }
  return flags;
}

/** Every flag of a run: non-finite values first, then gradients, dead and saturated units, updates. */
export function runFlags(run: ImportedRun): RunFlag[] {
  return [
    ...nonFiniteFlags(run),
    ...gradientFlags(run),
    ...fractionFlags(run),
    ...updateRatioFlags(run),
  ];
}
