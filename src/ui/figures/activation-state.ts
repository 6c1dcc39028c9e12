/**
 * The state of the figures that draw activations themselves (grad-activation-plot,
 * grad-properties-table): which activation, or which several, and α. They run no network, so
 * they read only these attributes, with the spec's rules and messages, and a page showing them
 * never loads the run spec's parser.
 */
import { ACTIVATION_NAMES, ACTIVATIONS, type ActivationName } from '../../engine/activations.ts';
import { ALPHA_RULE, parseFieldValue, SpecError } from '../../engine/spec-rules.ts';
import type { StateReader } from '../figure/state-reader.ts';

export interface ActivationState {
  /** The one activation drawn (the `activation` attribute). */
  readonly activation: ActivationName;
  /** Several, where an `activations` attribute lists them; null otherwise. */
  readonly activations: readonly ActivationName[] | null;
  /** α of the activations that have one, where given; each uses its default otherwise. */
  readonly alphas: Readonly<Partial<Record<ActivationName, number>>>;
}

export const DEFAULT_ACTIVATION_STATE: ActivationState = {
  activation: 'sigmoid',
  activations: null,
  alphas: {},
};

/** The activations a state names: the list, or the one. */
export const drawnActivations = (state: ActivationState): readonly ActivationName[] =>
  state.activations ?? [state.activation];

/** α for one activation: the given α where it has a parameter, else its default (0 if none). */
export function alphaFor(state: ActivationState, name: ActivationName): number {
  const fallback = ACTIVATIONS[name].defaultAlpha;
  if (fallback === undefined) return 0;
  return state.alphas[name] ?? fallback;
}

function parseList(raw: string): ActivationName[] {
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const ok = items.length > 0 && items.every((item) => ACTIVATION_NAMES.includes(item as never));
  if (!ok) {
    throw new SpecError(
      'activations',
      `got ${JSON.stringify(raw)}; allowed: a comma-separated list of ${ACTIVATION_NAMES.join(', ')}`,
    );
  }
  return [...new Set(items)] as ActivationName[];
}

export const ACTIVATION_STATE_READER: StateReader<ActivationState> = {
  attributes: ['activation', 'activations', 'alpha'],
  defaults: DEFAULT_ACTIVATION_STATE,
  read(input) {
    const problems: SpecError[] = [];
    let state = DEFAULT_ACTIVATION_STATE;
    const attempt = (apply: () => Partial<ActivationState>): void => {
      try {
        state = { ...state, ...apply() };
      } catch (error) {
        if (!(error instanceof SpecError)) throw error;
        problems.push(error);
      }
    };
    if (input.activation !== undefined) {
      attempt(() => ({
        activation: parseFieldValue(
          'activation',
          { kind: 'choice', choices: ACTIVATION_NAMES },
          input.activation!,
        ) as ActivationName,
      }));
    }
    if (input.activations !== undefined) {
      attempt(() => ({ activations: parseList(input.activations!) }));
    }
    if (input.alpha !== undefined) {
      attempt(() => {
        const alpha = parseFieldValue('alpha', ALPHA_RULE, input.alpha!) as number;
        const drawn = drawnActivations(state);
        const owners = drawn.filter((name) => ACTIVATIONS[name].defaultAlpha !== undefined);
        if (owners.length === 0) {
          throw new SpecError(
            'alpha',
            `${drawn.join(', ')} ${drawn.length === 1 ? 'has' : 'have'} no parameter; alpha applies to leaky_relu and elu only`,
          );
        }
        // `alpha` sets α of every drawn activation that has one.
        return { alphas: Object.fromEntries(owners.map((name) => [name, alpha])) };
      });
    }
    return { state, problems };
  },
  entries(state) {
    const entries: [string, string][] = [];
    if (state.activations) entries.push(['activations', state.activations.join(',')]);
    else if (state.activation !== DEFAULT_ACTIVATION_STATE.activation) {
      entries.push(['activation', state.activation]);
    }
    // One `alpha` attribute, where the drawn activations with a parameter share one.
    const given = drawnActivations(state)
      .map((name) => state.alphas[name])
      .filter((alpha) => alpha !== undefined);
    if (given.length > 0 && given.every((alpha) => alpha === given[0])) {
      entries.push(['alpha', String(given[0])]);
    }
    return entries;
  },
};
