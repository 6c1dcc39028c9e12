/**
 * The theory figures' own attributes, beside the run spec's: which view of the variance map,
 * which phase table, the phase diagram's grid (named like the CLI's `sweep` flags) and when it
 * starts, and the Jacobian's width. Each is an OptionRule (allowed values, default), so a bad
 * value is reported naming the attribute; the grid's relations (max ≥ min, points ≤ 400) are
 * checked by sweepOptionsFor, the one place the section's form used too. Pure: no DOM.
 */
import { SpecError } from '../../engine/spec-rules.ts';
import type { RunSpec } from '../../engine/spec.ts';
import { SWEEP_LIMITS, type SweepOptions } from '../../engine/sweep.ts';
import { JACOBIAN_MAX_SIZE } from '../../engine/jacobian.ts';
import { choiceOption, type OptionRule } from '../figure/figure-options.ts';
import {
  defaultSweepControls,
  JACOBIAN_DEFAULT_WIDTH,
  PAGE_SWEEP_LIMITS,
  SWEEP_CONTROL_FIELDS,
  sweepOptionsFor,
  type SweepControls,
} from './theory-data.ts';

/** grad-variance-map: the map V(q) against the identity, or q⁽ˡ⁾ through the spec's depth. */
export const VARIANCE_VIEWS = ['map', 'depth'] as const;
export type VarianceView = (typeof VARIANCE_VIEWS)[number];
export const VARIANCE_VIEW = choiceOption('view', VARIANCE_VIEWS, 'map');

/** grad-phase-table: every grid point, or the χ₁ = 1 line per σ_b² row. */
export const PHASE_TABLES = ['points', 'critical-line'] as const;
export type PhaseTable = (typeof PHASE_TABLES)[number];
export const PHASE_TABLE = choiceOption('table', PHASE_TABLES, 'points');

/**
 * When a phase figure measures its grid: `auto` as soon as it comes near the viewport; `button`
 * when the reader presses its Run sweep button, or when another figure on the page runs the same
 * grid (a table beside a diagram shows what the diagram measures).
 */
export const SWEEP_STARTS = ['auto', 'button'] as const;
export type SweepStart = (typeof SWEEP_STARTS)[number];
export const SWEEP_START = choiceOption('start', SWEEP_STARTS, 'auto');

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A number (or an integer) from min to max; absent, null: the figure derives the value from the
 * spec (`fallbackText` says how, for messages and docs).
 */
export function derivedNumberOption(
  attribute: string,
  { min, max, integer }: { min: number; max: number; integer: boolean },
  fallbackText: string,
): OptionRule<number | null> {
  return {
    attribute,
    fallback: null,
    allowed: `${integer ? 'an integer' : 'a number'} from ${min} to ${max} (default: ${fallbackText})`,
    parse: (raw) => {
      const text = raw.trim();
      if (!DECIMAL.test(text)) return undefined;
      const value = Number(text);
      if (integer && !Number.isInteger(value)) return undefined;
      return value >= min && value <= max ? value : undefined;
    },
    format: (value) => (value === null ? '' : String(value)),
  };
}

const SWEEP_RULE_LIMITS: Readonly<
  Record<keyof SweepControls, { min: number; max: number; integer: boolean; fallback: string }>
> = {
  sigmaW2Min: { ...SWEEP_LIMITS.sigmaW2, integer: false, fallback: '0.5' },
  sigmaW2Max: { ...SWEEP_LIMITS.sigmaW2, integer: false, fallback: '4.5' },
  sigmaW2Steps: { ...SWEEP_LIMITS.steps, integer: true, fallback: '9' },
  sigmaB2Min: { ...SWEEP_LIMITS.sigmaB2, integer: false, fallback: '0' },
  sigmaB2Max: { ...SWEEP_LIMITS.sigmaB2, integer: false, fallback: '0.5' },
  sigmaB2Steps: { ...SWEEP_LIMITS.steps, integer: true, fallback: '6' },
  depth: { ...PAGE_SWEEP_LIMITS.depth, integer: true, fallback: 'the spec’s depth, up to 20' },
  width: { ...PAGE_SWEEP_LIMITS.width, integer: true, fallback: 'the spec’s width, up to 64' },
};

/** The grid's attributes: sigma-w2-min … sigma-b2-steps (the CLI's), sweep-depth, sweep-width. */
export const SWEEP_RULES = Object.fromEntries(
  SWEEP_CONTROL_FIELDS.map(({ key, name }) => {
    const { fallback, ...limits } = SWEEP_RULE_LIMITS[key];
    return [key, derivedNumberOption(name, limits, fallback)];
  }),
) as unknown as Readonly<Record<keyof SweepControls, OptionRule<number | null>>>;

export const SWEEP_RULE_LIST: readonly OptionRule<number | null>[] = SWEEP_CONTROL_FIELDS.map(
  ({ key }) => SWEEP_RULES[key],
);

/** The attribute names of the grid, in the form's order. */
export const SWEEP_ATTRIBUTES: readonly string[] = SWEEP_CONTROL_FIELDS.map(({ name }) => name);

/** The grid a figure's attributes ask for: its options, or null; `problem` breaks a relation. */
export interface SweepReading {
  readonly options: SweepOptions | null;
  readonly controls: SweepControls;
  readonly problem: SpecError | null;
}

/**
 * The sweep of `spec` that the grid attributes describe (`attribute(name)` gives each one's text,
 * or null). A value a rule refuses stands at its default (the figure reports it, naming the
 * attribute); a broken relation between values (max below min, too many points) is `problem`, and
 * the whole grid then stands at its defaults.
 */
export function readSweepAttributes(
  spec: RunSpec,
  attribute: (name: string) => string | null,
): SweepReading {
  const defaults = defaultSweepControls(spec);
  const given = { ...defaults };
  for (const { key, name } of SWEEP_CONTROL_FIELDS) {
    const raw = attribute(name);
    const value = raw === null ? undefined : SWEEP_RULES[key].parse(raw);
    if (value !== undefined && value !== null) given[key] = value;
  }
  try {
    return { options: sweepOptionsFor(spec, given), controls: given, problem: null };
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    let options: SweepOptions | null = null;
    try {
      options = sweepOptionsFor(spec, defaults);
    } catch (fallbackError) {
      if (!(fallbackError instanceof SpecError)) throw fallbackError;
    }
    return { options, controls: defaults, problem: error };
  }
}

/** The grid's controls as attribute entries (what a figure writes when the reader applies them). */
export function sweepAttributeEntries(controls: SweepControls): Record<string, string> {
  return Object.fromEntries(
    SWEEP_CONTROL_FIELDS.map(({ key, name }) => [name, String(controls[key])]),
  );
}

/** The width of the Jacobian's square network: given, or the spec's up to 128. */
export const JACOBIAN_WIDTH = derivedNumberOption(
  'jacobian-width',
  { min: 1, max: JACOBIAN_MAX_SIZE, integer: true },
  `the spec’s width, up to ${JACOBIAN_DEFAULT_WIDTH}`,
);

export function jacobianWidthOf(spec: RunSpec, width: number | null): number {
  return width ?? Math.min(spec.width, JACOBIAN_DEFAULT_WIDTH);
}
