/**
 * The state of a figure of an imported run file (grad-run-file-chart): which recorded step its
 * per-layer views show (`step`), and which steps the depth view draws (`steps`). It runs no
 * network, so it reads only these, and a page showing it never loads the run spec's parser. A
 * step that was not recorded is drawn at the nearest recorded one, and the caption says so.
 */
import { SpecError } from '../../engine/spec-rules.ts';
import type { StateReader } from '../figure/state-reader.ts';

export interface RunFileState {
  /** The step of the histograms and fractions; null: the first recorded step. */
  readonly step: number | null;
  /** The steps of ‖δ‖ through depth; null: four spread from the first to the last. */
  readonly steps: readonly number[] | null;
}

export const DEFAULT_RUN_FILE_STATE: RunFileState = { step: null, steps: null };

/** The most steps the depth view draws (more lines than that are unreadable). */
export const MAX_DEPTH_STEPS = 8;

const STEP_ALLOWED = 'a step number (an integer ≥ 0); the nearest recorded step is drawn';

function parseStep(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

export const RUN_FILE_STATE_READER: StateReader<RunFileState> = {
  attributes: ['step', 'steps'],
  defaults: DEFAULT_RUN_FILE_STATE,
  read(input) {
    const problems: SpecError[] = [];
    let step: number | null = null;
    let steps: number[] | null = null;
    if (input.step !== undefined) {
      const value = parseStep(input.step);
      if (value === undefined)
        problems.push(
          new SpecError('step', `got ${JSON.stringify(input.step)}; allowed: ${STEP_ALLOWED}`),
        );
      else step = value;
    }
    if (input.steps !== undefined) {
      const items = input.steps
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
      const values = items.map(parseStep);
      if (
        items.length === 0 ||
        items.length > MAX_DEPTH_STEPS ||
        values.some((value) => value === undefined)
      )
        problems.push(
          new SpecError(
            'steps',
            `got ${JSON.stringify(input.steps)}; allowed: a comma-separated list of 1 to ${MAX_DEPTH_STEPS} step numbers (integers ≥ 0); the nearest recorded steps are drawn`,
          ),
        );
      else steps = [...new Set(values as number[])].sort((a, b) => a - b);
    }
    return { state: { step, steps }, problems };
  },
  entries(state) {
    const entries: [string, string][] = [];
    if (state.step !== null) entries.push(['step', String(state.step)]);
    if (state.steps !== null) entries.push(['steps', state.steps.join(',')]);
    return entries;
  },
};
