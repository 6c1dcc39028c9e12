/**
 * The lab's state: the shared run spec plus the lists the sections sweep over (depths,
 * activations, inits). It lives in the page URL, and the same keys are element attributes, so a
 * lab view can be shared, reloaded and embedded. Parsing never throws: a bad value is reported,
 * naming the field and what is allowed, and that field alone falls back to its default.
 */
import { ACTIVATION_NAMES, type ActivationName } from '../../engine/activations.ts';
import { INIT_NAMES, type InitName } from '../../engine/inits.ts';
import {
  DEFAULT_SPEC,
  parseSpec,
  SIZE_LIMITS,
  SPEC_FIELD_NAMES,
  SpecError,
  specToEntries,
  type RunSpec,
} from '../../engine/spec.ts';
import type { StateReader } from '../figure/state-reader.ts';

export interface LabState {
  /** The spec every section starts from. */
  readonly spec: RunSpec;
  /** Depths (hidden layers) the gradient-flow and init-explorer sections sweep. */
  readonly depths: readonly number[];
  /** Activations the gradient-flow section compares side by side. */
  readonly activations: readonly ActivationName[];
  /** Initializations the init explorer compares. */
  readonly inits: readonly InitName[];
}

export const DEFAULT_LAB_STATE: LabState = {
  // The lab's default is a batch, not the chapter's single sample (noisy and can be degenerate).
  spec: DEFAULT_SPEC,
  depths: [3, 5, 10, 20, 50],
  activations: ['sigmoid', 'tanh', 'relu'],
  inits: ['normal', 'xavier', 'he'],
};

const LIST_HELP = {
  depths: 'depths (hidden layers) that the gradient-flow section sweeps',
  activations: 'activations that the gradient-flow section compares',
  inits: 'initializations that the init explorer compares',
} as const;

interface ListField<K extends 'depths' | 'activations' | 'inits'> {
  readonly key: K;
  readonly maxItems: number;
  readonly allowed: string;
  parseItem(text: string): LabState[K][number] | undefined;
}

const LIST_FIELDS = [
  {
    key: 'depths',
    maxItems: 8,
    allowed: `up to 8 comma-separated integers from ${SIZE_LIMITS.depth.min} to ${SIZE_LIMITS.depth.max}`,
    parseItem: (text: string) => {
      if (!/^\d+$/.test(text)) return undefined;
      const value = Number(text);
      return value >= SIZE_LIMITS.depth.min && value <= SIZE_LIMITS.depth.max ? value : undefined;
    },
  } satisfies ListField<'depths'>,
  {
    key: 'activations',
    maxItems: ACTIVATION_NAMES.length,
    allowed: `a comma-separated list of ${ACTIVATION_NAMES.join(', ')}`,
    parseItem: (text: string) =>
      (ACTIVATION_NAMES as readonly string[]).includes(text) ? (text as ActivationName) : undefined,
  } satisfies ListField<'activations'>,
  {
    key: 'inits',
    maxItems: INIT_NAMES.length,
    allowed: `a comma-separated list of ${INIT_NAMES.join(', ')}`,
    parseItem: (text: string) =>
      (INIT_NAMES as readonly string[]).includes(text) ? (text as InitName) : undefined,
  } satisfies ListField<'inits'>,
] as const;

/** The lab's own keys, beside the spec's. */
export const LAB_LIST_KEYS: readonly string[] = LIST_FIELDS.map((field) => field.key);

/** Every attribute that configures a widget's state: the spec's fields and the lab's lists. */
export const STATE_ATTRIBUTES: readonly string[] = [...SPEC_FIELD_NAMES, ...LAB_LIST_KEYS];

/** The list fields for help text and docs: key, what is allowed, and the default. */
export const LAB_LIST_FIELDS = LIST_FIELDS.map((field) => ({
  name: field.key,
  allowed: field.allowed,
  default: DEFAULT_LAB_STATE[field.key].join(','),
  help: LIST_HELP[field.key],
}));

/** Parses one list field ("3,5,10"); throws SpecError naming the field and what is allowed. */
export function parseLabList<K extends 'depths' | 'activations' | 'inits'>(
  key: K,
  raw: string,
): LabState[K] {
  const field = LIST_FIELDS.find((f) => f.key === key) as unknown as ListField<K>;
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const fail = (): never => {
    throw new SpecError(key, `got ${JSON.stringify(raw)}; allowed: ${field.allowed}`);
  };
  if (items.length === 0 || items.length > field.maxItems) fail();
  const values: LabState[K][number][] = [];
  for (const item of items) {
    const value = field.parseItem(item);
    if (value === undefined) fail();
    if (!values.includes(value!)) values.push(value!);
  }
  return values as unknown as LabState[K];
}

export interface ParsedLabState {
  readonly state: LabState;
  /** One message per field that was bad and replaced by its default. */
  readonly problems: readonly SpecError[];
}

/**
 * Parses URL parameters or element attributes over `base`. Never throws: each bad field is
 * reported and left at its base value; unknown keys are reported and ignored.
 */
export function parseLabState(
  input: Readonly<Record<string, string>>,
  base: LabState = DEFAULT_LAB_STATE,
  ignoreKeys: readonly string[] = [],
): ParsedLabState {
  const problems: SpecError[] = [];
  const lists: Record<string, unknown> = {};
  // No prototype: a query key such as "__proto__" is then an ordinary (unknown) key, reported.
  const specInput: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(input)) {
    if (ignoreKeys.includes(key)) continue;
    if (LAB_LIST_KEYS.includes(key)) {
      try {
        lists[key] = parseLabList(key as 'depths', value);
      } catch (error) {
        problems.push(error as SpecError);
      }
    } else specInput[key] = value;
  }
  // Drop the field each error names and try again, so one bad value costs only that value.
  let spec: RunSpec;
  for (;;) {
    try {
      spec = parseSpec(specInput, base.spec);
      break;
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      problems.push(error);
      const named = Object.keys(specInput).filter(
        (key) => key === error.field || kebab(key) === error.field,
      );
      if (named.length === 0) {
        // A relation between fields broke without naming one that was given: keep the base.
        spec = base.spec;
        break;
      }
      for (const key of named) delete specInput[key];
    }
  }
  return { state: { ...base, ...lists, spec }, problems };
}

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The state as kebab-case key/value strings, leaving out what equals the defaults. */
export function labStateToEntries(
  state: LabState,
  base: LabState = DEFAULT_LAB_STATE,
): [string, string][] {
  const entries = specToEntries(state.spec, base.spec);
  for (const field of LIST_FIELDS) {
    const value = state[field.key].join(',');
    if (value !== base[field.key].join(',')) entries.push([field.key, value]);
  }
  return entries;
}

export { describeProblems } from '../../engine/spec-rules.ts';

/** The lab's state as figures read it from their attributes (see state-reader.ts). */
export const LAB_STATE_READER: StateReader<LabState> = {
  attributes: STATE_ATTRIBUTES,
  defaults: DEFAULT_LAB_STATE,
  read: (input) => parseLabState(input, DEFAULT_LAB_STATE),
  entries: (state) => labStateToEntries(state),
};
