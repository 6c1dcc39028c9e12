/**
 * The run spec and its one parser/validator. URL parameters, element attributes and CLI flags all
 * arrive as string key/value pairs and go through `checkSpec` (every problem) or `parseSpec` (the
 * first); every problem becomes a SpecError that names the field and what is allowed. Nothing is
 * clamped or ignored silently.
 */
import { ACTIVATION_NAMES, ACTIVATIONS, type ActivationName } from './activations.ts';
import { INIT_NAMES, type InitName } from './inits.ts';
import { ALPHA_RULE, readFieldValue, SpecError, type Rule } from './spec-rules.ts';

export { describeRule, SpecError, type Rule } from './spec-rules.ts';

export const RNG_NAMES = ['philox', 'numpy'] as const;
export type RngName = (typeof RNG_NAMES)[number];
export const BACKEND_NAMES = ['cpu', 'cpu64', 'webgpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export const OUTPUT_ACTIVATIONS = ['linear', 'same'] as const;
export type OutputActivation = (typeof OUTPUT_ACTIVATIONS)[number];

export interface RunSpec {
  readonly activation: ActivationName;
  /** The activation's parameter (leaky_relu, elu); 0 for activations without one. */
  readonly alpha: number;
  readonly init: InitName;
  /** Orthogonal init's gain. */
  readonly gain: number;
  /** Custom init: weights ~ N(0, σ_w²/n_in). */
  readonly sigmaW: number;
  /** Bias std: biases ~ N(0, σ_b²); 0 means zero biases. */
  readonly sigmaB: number;
  /** Number of hidden layers; the network has depth + 1 weight layers. */
  readonly depth: number;
  readonly width: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly batch: number;
  readonly outputActivation: OutputActivation;
  readonly seed: number;
  readonly rng: RngName;
  readonly backend: BackendName;
  readonly residual: boolean;
  readonly batchnorm: boolean;
  /** Number of timed runs; computeMs is their median. */
  readonly repeat: number;
  /** Histogram bins per layer. */
  readonly bins: number;
}

export const DEFAULT_SPEC: RunSpec = {
  activation: 'sigmoid',
  alpha: 0,
  init: 'xavier',
  gain: 1,
  sigmaW: 1,
  sigmaB: 0,
  depth: 10,
  width: 64,
  inputs: 64,
  outputs: 8,
  batch: 32,
  outputActivation: 'linear',
  seed: 42,
  rng: 'philox',
  backend: 'cpu',
  residual: false,
  batchnorm: false,
  repeat: 1,
  bins: 32,
};

type FieldKey = keyof RunSpec;

export const SIZE_LIMITS = {
  depth: { min: 1, max: 1000 },
  width: { min: 1, max: 16384 },
  inputs: { min: 1, max: 16384 },
  outputs: { min: 1, max: 16384 },
  batch: { min: 1, max: 65536 },
} as const;

/** Every field, its user-facing name and its rule, in the order help text lists them. */
export const SPEC_FIELDS: ReadonlyArray<{ key: FieldKey; name: string; rule: Rule; help: string }> =
  [
    {
      key: 'activation',
      name: 'activation',
      rule: { kind: 'choice', choices: ACTIVATION_NAMES },
      help: 'hidden activation',
    },
    {
      key: 'alpha',
      name: 'alpha',
      rule: ALPHA_RULE,
      help: 'parameter of leaky_relu (default 0.01) and elu (default 1)',
    },
    {
      key: 'init',
      name: 'init',
      rule: { kind: 'choice', choices: INIT_NAMES },
      help: 'weight init',
    },
    {
      key: 'gain',
      name: 'gain',
      rule: { kind: 'number', min: 0, max: 100, minExclusive: true },
      help: 'orthogonal init gain',
    },
    {
      key: 'sigmaW',
      name: 'sigma-w',
      rule: { kind: 'number', min: 0, max: 100, minExclusive: true },
      help: 'custom init: weight std σ_w/√n_in',
    },
    {
      key: 'sigmaB',
      name: 'sigma-b',
      rule: { kind: 'number', min: 0, max: 100 },
      help: 'bias std (0: zero biases)',
    },
    {
      key: 'depth',
      name: 'depth',
      rule: { kind: 'integer', ...SIZE_LIMITS.depth },
      help: 'hidden layers',
    },
    {
      key: 'width',
      name: 'width',
      rule: { kind: 'integer', ...SIZE_LIMITS.width },
      help: 'hidden width',
    },
    {
      key: 'inputs',
      name: 'inputs',
      rule: { kind: 'integer', ...SIZE_LIMITS.inputs },
      help: 'input size',
    },
    {
      key: 'outputs',
      name: 'outputs',
      rule: { kind: 'integer', ...SIZE_LIMITS.outputs },
      help: 'output size',
    },
    {
      key: 'batch',
      name: 'batch',
      rule: { kind: 'integer', ...SIZE_LIMITS.batch },
      help: 'batch size',
    },
    {
      key: 'outputActivation',
      name: 'output-activation',
      rule: { kind: 'choice', choices: OUTPUT_ACTIVATIONS },
      help: 'output unit: linear, or the same activation as the hidden layers (as in the chapter)',
    },
    {
      key: 'seed',
      name: 'seed',
      rule: { kind: 'integer', min: 0, max: 4294967295 },
      help: 'random seed',
    },
    {
      key: 'rng',
      name: 'rng',
      rule: { kind: 'choice', choices: RNG_NAMES },
      help: 'random generator',
    },
    {
      key: 'backend',
      name: 'backend',
      rule: { kind: 'choice', choices: BACKEND_NAMES },
      help: 'where to compute',
    },
    { key: 'residual', name: 'residual', rule: { kind: 'boolean' }, help: 'residual connections' },
    {
      key: 'batchnorm',
      name: 'batchnorm',
      rule: { kind: 'boolean' },
      help: 'batch-normalize pre-activations',
    },
    {
      key: 'repeat',
      name: 'repeat',
      rule: { kind: 'integer', min: 1, max: 1000 },
      help: 'timed runs',
    },
    {
      key: 'bins',
      name: 'bins',
      rule: { kind: 'integer', min: 2, max: 1024 },
      help: 'histogram bins',
    },
  ];

const FIELD_BY_NAME = new Map<string, (typeof SPEC_FIELDS)[number]>();
for (const field of SPEC_FIELDS) {
  FIELD_BY_NAME.set(field.name, field);
  FIELD_BY_NAME.set(field.key, field);
}

/** The names a spec source may use, for help text and error messages. */
export const SPEC_FIELD_NAMES: readonly string[] = SPEC_FIELDS.map((field) => field.name);

export type SpecInput = Readonly<Record<string, string | number | boolean | undefined>>;

/** What checkSpec found: a valid spec, or every problem, each naming its field. */
export type SpecCheck =
  | { readonly ok: true; readonly spec: RunSpec }
  | { readonly ok: false; readonly errors: readonly SpecError[] };

/**
 * Parses and validates a spec from string key/value pairs (kebab-case or camelCase keys), over
 * `base` (the defaults unless given). Never throws: it returns the spec, or one SpecError per bad
 * field (an unknown key, a value outside its rule, a field given twice under both its names) in
 * the order given, then one per broken relation between fields whose own values were fine
 * (validateSpec's rules, and alpha for an activation without one).
 *
 * α not given: the base's α when the activation is the base's, else the activation's default
 * (0.01 for leaky_relu, 1 for elu, 0 for the rest), so that parsing an empty input gives `base`.
 */
export function checkSpec(input: SpecInput, base: RunSpec = DEFAULT_SPEC): SpecCheck {
  const values: Record<string, unknown> = { ...base };
  const errors: SpecError[] = [];
  /** The fields given, by key, with the name they were given under. */
  const given = new Map<FieldKey, string>();
  /** Fields whose own value was bad: relations that involve them are not checked. */
  const bad = new Set<FieldKey>();
  for (const [key, raw] of Object.entries(input)) {
    if (raw === undefined) continue;
    const field = FIELD_BY_NAME.get(key);
    if (!field) {
      errors.push(
        new SpecError(key, `unknown field; known fields: ${SPEC_FIELD_NAMES.join(', ')}`),
      );
      continue;
    }
    const earlier = given.get(field.key);
    if (earlier !== undefined) {
      errors.push(
        new SpecError(field.name, `given twice (as ${earlier} and ${key}); allowed: once`),
      );
      bad.add(field.key);
      continue;
    }
    given.set(field.key, key);
    const value = readFieldValue(field.name, field.rule, raw);
    if (value instanceof SpecError) {
      errors.push(value);
      bad.add(field.key);
    } else values[field.key] = value;
  }
  const spec = values as unknown as RunSpec;
  const alpha = resolveSpecAlpha(spec, given.has('alpha'), base);
  if (alpha instanceof SpecError) {
    if (!bad.has('activation') && !bad.has('alpha')) errors.push(alpha);
    bad.add('alpha');
  }
  const resolved = { ...spec, alpha: alpha instanceof SpecError ? 0 : alpha };
  for (const relation of RELATIONS) {
    if (relation.fields.some((key) => bad.has(key))) continue;
    const error = relation.check(resolved);
    if (error) errors.push(error);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, spec: resolved };
}

/**
 * checkSpec for callers that stop at the first problem (the CLI prints one line): the spec, or
 * the first SpecError thrown.
 */
export function parseSpec(input: SpecInput, base: RunSpec = DEFAULT_SPEC): RunSpec {
  const result = checkSpec(input, base);
  if (!result.ok) throw result.errors[0]!;
  return result.spec;
}

function resolveSpecAlpha(spec: RunSpec, alphaGiven: boolean, base: RunSpec): number | SpecError {
  const def = ACTIVATIONS[spec.activation].defaultAlpha;
  if (def === undefined) {
    if (alphaGiven && spec.alpha !== 0) {
      return new SpecError(
        'alpha',
        `${spec.activation} has no parameter; alpha applies to leaky_relu and elu only`,
      );
    }
    return 0;
  }
  if (alphaGiven) return spec.alpha;
  return spec.activation === base.activation ? base.alpha : def;
}

/** Approximate bytes the CPU backends hold for a run (weights, their transposes, activations). */
export function estimateRunBytes(spec: RunSpec): number {
  const bytesPerValue = spec.backend === 'cpu64' ? 8 : 4;
  const weightValues =
    spec.inputs * spec.width +
    (spec.depth - 1) * spec.width * spec.width +
    spec.width * spec.outputs;
  const unitValues = (spec.inputs + spec.depth * spec.width + spec.outputs) * spec.batch;
  // f64 weights as generated + the backend's own copy and transpose; per layer the activations,
  // the derivatives, and (with batchnorm) the normalized pre-activations.
  const perUnit = spec.batchnorm ? 4 : 3;
  return weightValues * (8 + 2 * bytesPerValue) + unitValues * (perUnit * bytesPerValue + 16);
}

/** The memory a run may take: large enough for 100 × 4096 wide, small enough for a browser tab. */
export const MEMORY_BUDGET_BYTES = 4 * 1024 ** 3;

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(1)} GiB`
    : `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

/** The largest value of one size field that keeps the run inside the memory budget. */
export function largestFitting(spec: RunSpec, key: 'width' | 'depth' | 'batch'): number {
  let lo = 0;
  let hi = SIZE_LIMITS[key].max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (estimateRunBytes({ ...spec, [key]: mid }) <= MEMORY_BUDGET_BYTES) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A rule between fields: checked only when each field it reads had a good value. */
interface Relation {
  readonly fields: readonly FieldKey[];
  check(spec: RunSpec): SpecError | null;
}

const RELATIONS: readonly Relation[] = [
  {
    fields: ['batchnorm', 'batch'],
    check: (spec) =>
      spec.batchnorm && spec.batch < 2
        ? new SpecError(
            'batchnorm',
            `needs batch ≥ 2 (got batch ${spec.batch}): batch statistics of one sample are undefined`,
          )
        : null,
  },
  {
    fields: ['init', 'sigmaW'],
    check: (spec) =>
      spec.init !== 'custom' && spec.sigmaW !== DEFAULT_SPEC.sigmaW
        ? new SpecError('sigma-w', `applies to init custom only (init is ${spec.init})`)
        : null,
  },
  {
    fields: ['init', 'gain'],
    check: (spec) =>
      spec.init !== 'orthogonal' && spec.gain !== DEFAULT_SPEC.gain
        ? new SpecError('gain', `applies to init orthogonal only (init is ${spec.init})`)
        : null,
  },
  {
    fields: ['backend', 'depth', 'width', 'inputs', 'outputs', 'batch', 'batchnorm'],
    check: (spec) => {
      // The WebGPU backend checks its sizes against the device's own limits when it allocates.
      const bytes = estimateRunBytes(spec);
      if (spec.backend === 'webgpu' || bytes <= MEMORY_BUDGET_BYTES) return null;
      const key = spec.width >= spec.batch ? 'width' : 'batch';
      const largest = largestFitting(spec, key);
      return new SpecError(
        key,
        `${spec.depth} layers × ${spec.width} wide × batch ${spec.batch} needs about ` +
          `${formatBytes(bytes)}, more than the ${formatBytes(MEMORY_BUDGET_BYTES)} memory budget; ` +
          (largest > 0
            ? `with the other sizes as they are, the largest ${key} that fits is ${largest}`
            : `reduce depth, width or batch`),
      );
    },
  },
];

/** Every broken relation between fields of an otherwise well-typed spec, in RELATIONS order. */
export function specRelationErrors(spec: RunSpec): SpecError[] {
  return RELATIONS.map((relation) => relation.check(spec)).filter(
    (error): error is SpecError => error !== null,
  );
}

/** Checks the relations between fields of an otherwise well-typed spec; throws the first. */
export function validateSpec(spec: RunSpec): RunSpec {
  const [first] = specRelationErrors(spec);
  if (first) throw first;
  return spec;
}

/**
 * The spec as kebab-case key/value strings: the URL query, element attributes and CLI flags.
 * A field is left out where it equals `base`'s, except α, which is written whenever parsing the
 * entries over `base` without it would give another α (checkSpec's rule), so that
 * parseSpec(Object.fromEntries(specToEntries(spec, base)), base) is `spec` for every valid spec.
 */
export function specToEntries(spec: RunSpec, base: RunSpec = DEFAULT_SPEC): [string, string][] {
  const entries: [string, string][] = [];
  const impliedAlpha =
    ACTIVATIONS[spec.activation].defaultAlpha === undefined
      ? 0
      : spec.activation === base.activation
        ? base.alpha
        : ACTIVATIONS[spec.activation].defaultAlpha;
  for (const field of SPEC_FIELDS) {
    const value = spec[field.key];
    const omit = field.key === 'alpha' ? value === impliedAlpha : value === base[field.key];
    if (!omit) entries.push([field.name, String(value)]);
  }
  return entries;
}
