/**
 * The gradlab run file (docs/run-format.md): JSON lines written by python/gradlab_record.py.
 * Line 1 is the header (the model's layers, their shapes and activations, the step schedule);
 * then one `step` line per recorded step; then an `end` line when the recorder was closed.
 *
 * This module holds the format's types and the checks of one line; run-parser.ts streams a file
 * through them. Every problem names the line and the field, says what was found and what is
 * allowed (a RunProblem), and nothing is clamped: a non-finite statistic, written as the string
 * "NaN", "Infinity" or "-Infinity", is read as that number.
 */
import { ACTIVATION_NAMES, type ActivationName } from '../engine/activations.ts';

export const RUN_FORMAT = 'gradlab-run';
/** The newest format version this gradlab reads. */
export const RUN_FORMAT_VERSION = 1;

/** The layer types the recorder records. */
export const RUN_LAYER_TYPES = ['Linear', 'Conv1d', 'Conv2d', 'Conv3d'] as const;
export type RunLayerType = (typeof RUN_LAYER_TYPES)[number];

/** The activation module that follows a layer, as the recorder identified it. */
export interface RunFileActivation {
  /** The PyTorch class, e.g. "ReLU". */
  readonly type: string;
  /** Its module path in the model, e.g. "features.2". */
  readonly name: string;
  /** gradlab's name for it (activations.ts), or null where gradlab has no such activation. */
  readonly gradlab: ActivationName | null;
  /** leaky_relu's negative slope or elu's α; null otherwise. */
  readonly alpha: number | null;
  /** sup|φ′|, measured by the recorder as gradlab measures it; the saturation scale. */
  readonly maxSlope: number;
  /** Normalization modules between the layer and the activation (module paths). */
  readonly via: readonly string[];
}

export interface RunFileLayer {
  /** 1-based, in the order of the model's first recorded forward pass (input side first). */
  readonly index: number;
  /** Module path in the model, e.g. "encoder.3". */
  readonly name: string;
  readonly type: RunLayerType;
  readonly weightShape: readonly number[];
  readonly bias: boolean;
  /** The layer output's shape in the first recorded pass (batch first). */
  readonly outputShape: readonly number[];
  /** Units: output features of a Linear layer, output channels of a convolution. */
  readonly units: number;
  /** Input features (Linear) or input channels (Conv). */
  readonly fanIn: number;
  readonly activation: RunFileActivation | null;
  /**
   * Whether this layer's input was exactly the previous layer's activation (or, without one, its
   * output), unchanged: true through a plain stack, false after a residual add, a dropout, a
   * reshape. null for layer 1.
   */
  readonly feedsFromPrevious: boolean | null;
}

export interface RunFileHeader {
  readonly format: typeof RUN_FORMAT;
  readonly version: number;
  /** ISO 8601 time the recording started, as written. */
  readonly created: string | null;
  /** The PyTorch version that recorded it. */
  readonly torch: string | null;
  /** The model's class name. */
  readonly model: string | null;
  /** Recorded steps: first, first + every, …; total planned steps where known. */
  readonly steps: { readonly first: number; readonly every: number; readonly total: number | null };
  readonly bins: number;
  /** Saturation threshold as a fraction of sup|φ′| (gradlab: 1e-3). */
  readonly saturation: number;
  readonly layers: readonly RunFileLayer[];
  /** Recorded-type layers the first pass never called (module paths); not in the records. */
  readonly unused: readonly string[];
}

/** Per-layer statistics of a step line, in the order the arrays of an ImportedRun hold them. */
export const LAYER_METRICS = [
  'gradNorm',
  'weightGradNorm',
  'weightNorm',
  'biasNorm',
  'updateRatio',
  'inputMeanSquare',
  'activationMean',
  'activationStd',
  'deadFraction',
  'saturatedFraction',
] as const;
export type LayerMetric = (typeof LAYER_METRICS)[number];

/** What each statistic means, for labels and docs. */
export const LAYER_METRIC_LABELS: Readonly<Record<LayerMetric, string>> = {
  gradNorm: '‖δ⁽ˡ⁾‖ = ‖∂L/∂z⁽ˡ⁾‖',
  weightGradNorm: '‖∂L/∂W⁽ˡ⁾‖',
  weightNorm: '‖W⁽ˡ⁾‖',
  biasNorm: '‖b⁽ˡ⁾‖',
  updateRatio: '‖ΔW⁽ˡ⁾‖ / ‖W⁽ˡ⁾‖',
  inputMeanSquare: '⟨(a⁽ˡ⁻¹⁾)²⟩',
  activationMean: 'mean of a⁽ˡ⁾',
  activationStd: 'std of a⁽ˡ⁾',
  deadFraction: 'dead units',
  saturatedFraction: 'saturated (unit, sample) pairs',
};

/** Statistics that are fractions: a finite value outside [0, 1] is an error. */
const FRACTIONS: ReadonlySet<LayerMetric> = new Set(['deadFraction', 'saturatedFraction']);
/** Statistics that are norms or squares: a finite negative value is an error. */
const NON_NEGATIVE: ReadonlySet<LayerMetric> = new Set([
  'gradNorm',
  'weightGradNorm',
  'weightNorm',
  'biasNorm',
  'updateRatio',
  'inputMeanSquare',
  'activationStd',
]);

/** A problem with a run file: where it is, and what is wrong and allowed. */
export interface RunProblem {
  /** 1-based line; 0 for the file as a whole (e.g. an empty file). */
  readonly line: number;
  /** JSON path of the field within the line (e.g. "layers[3].gradNorm"), or null. */
  readonly field: string | null;
  readonly message: string;
  /** error: the line (or the file) was not imported; warning: imported, with a caveat. */
  readonly severity: 'error' | 'warning';
}

/** "line 12: layers[3].gradNorm: got …; allowed: …" */
export function describeProblem(problem: RunProblem): string {
  const where = problem.line > 0 ? `line ${problem.line}` : 'file';
  return `${where}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`;
}

/** A field that is not what the format allows. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'FieldError';
  }
}

/** A short, safe rendering of a value found in a file, for messages. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Nested deeper than the stack: String() of such an array recurses too.
    text = Array.isArray(value) ? '[…]' : typeof value === 'object' ? '{…}' : String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function got(value: unknown, allowed: string): string {
  return `got ${shown(value)}; allowed: ${allowed}`;
}

export function expectObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FieldError(field, got(value, 'a JSON object'));
  return value as Record<string, unknown>;
}

export function expectInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new FieldError(
      field,
      got(value, `an integer from ${min} to ${max === Number.MAX_SAFE_INTEGER ? '2⁵³' : max}`),
    );
  return value;
}

function expectString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new FieldError(field, got(value, 'a string'));
  return value;
}

function optionalString(value: unknown, field: string): string | null {
  return value === undefined || value === null ? null : expectString(value, field);
}

function expectBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new FieldError(field, got(value, 'true or false'));
  return value;
}

function expectArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new FieldError(field, got(value, 'a JSON array'));
  return value;
}

function expectShape(value: unknown, field: string): number[] {
  return expectArray(value, field).map((n, i) =>
    expectInteger(n, `${field}[${i}]`, 0, Number.MAX_SAFE_INTEGER),
  );
}

function expectFinite(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !(value >= min))
    throw new FieldError(field, got(value, `a number ≥ ${min}`));
  return value;
}

const STATISTIC_ALLOWED = 'a number, null (not recorded), or "NaN", "Infinity", "-Infinity"';

/**
 * A statistic: a JSON number, or a non-finite one written as a string; null means not recorded
 * (returned as null, never as a number).
 */
export function readStatistic(value: unknown, field: string): number | null {
  if (value === null) return null;
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  throw new FieldError(field, got(value, STATISTIC_ALLOWED));
}

function readLayerStatistic(metric: LayerMetric, value: unknown, field: string): number | null {
  const number = readStatistic(value, field);
  if (number === null || !Number.isFinite(number)) return number;
  if (FRACTIONS.has(metric) && (number < 0 || number > 1))
    throw new FieldError(field, got(value, 'a fraction from 0 to 1 (or null, "NaN")'));
  if (NON_NEGATIVE.has(metric) && number < 0)
    throw new FieldError(field, got(value, 'a number ≥ 0 (a norm), or null, "NaN", "Infinity"'));
  return number;
}

function readActivation(value: unknown, field: string): RunFileActivation | null {
  if (value === null) return null;
  const object = expectObject(value, field);
  const gradlab = object.gradlab ?? null;
  if (gradlab !== null && !(ACTIVATION_NAMES as readonly unknown[]).includes(gradlab))
    throw new FieldError(
      `${field}.gradlab`,
      got(gradlab, `null or one of ${ACTIVATION_NAMES.join(', ')}`),
    );
  const alpha = object.alpha ?? null;
  if (alpha !== null && (typeof alpha !== 'number' || !Number.isFinite(alpha)))
    throw new FieldError(`${field}.alpha`, got(alpha, 'null or a finite number'));
  return {
    type: expectString(object.type, `${field}.type`),
    name: expectString(object.name, `${field}.name`),
    gradlab: gradlab as ActivationName | null,
    alpha: alpha as number | null,
    maxSlope: expectFinite(object.maxSlope, `${field}.maxSlope`, 0),
    via: expectArray(object.via ?? [], `${field}.via`).map((v, i) =>
      expectString(v, `${field}.via[${i}]`),
    ),
  };
}

function readLayer(value: unknown, index: number): RunFileLayer {
  const field = `layers[${index - 1}]`;
  const object = expectObject(value, field);
  const declared = expectInteger(object.index, `${field}.index`, 1, Number.MAX_SAFE_INTEGER);
  if (declared !== index)
    throw new FieldError(`${field}.index`, `got ${declared}; allowed: ${index} (layers in order)`);
  const type = object.type;
  if (!(RUN_LAYER_TYPES as readonly unknown[]).includes(type))
    throw new FieldError(`${field}.type`, got(type, `one of ${RUN_LAYER_TYPES.join(', ')}`));
  const linear = type === 'Linear';
  const units = expectInteger(
    linear ? object.outFeatures : object.outChannels,
    `${field}.${linear ? 'outFeatures' : 'outChannels'}`,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const fanIn = expectInteger(
    linear ? object.inFeatures : object.inChannels,
    `${field}.${linear ? 'inFeatures' : 'inChannels'}`,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const feeds = object.feedsFromPrevious ?? null;
  return {
    index,
    name: expectString(object.name, `${field}.name`),
    type: type as RunLayerType,
    weightShape: expectShape(object.weightShape, `${field}.weightShape`),
    bias: expectBoolean(object.bias, `${field}.bias`),
    outputShape: expectShape(object.outputShape, `${field}.outputShape`),
    units,
    fanIn,
    activation: readActivation(object.activation ?? null, `${field}.activation`),
    feedsFromPrevious: feeds === null ? null : expectBoolean(feeds, `${field}.feedsFromPrevious`),
  };
}

/**
 * Line 1, checked: throws a FieldError naming the first field that is not what the format allows
 * (the parser then refuses the file).
 */
export function readHeader(value: unknown): RunFileHeader {
  const object = expectObject(value, 'header');
  if (object.format !== RUN_FORMAT)
    throw new FieldError(
      'format',
      `${got(object.format, `"${RUN_FORMAT}"`)}: this is not a gradlab run file (python/gradlab_record.py writes one)`,
    );
  const version = object.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > RUN_FORMAT_VERSION)
    throw new FieldError(
      'version',
      `the file is format version ${version}, newer than this gradlab reads (${RUN_FORMAT_VERSION}); update gradlab, or record with a matching gradlab_record.py`,
    );
  const checkedVersion = expectInteger(version, 'version', 1, RUN_FORMAT_VERSION);
  const steps = expectObject(object.steps, 'steps');
  const total = steps.total ?? null;
  const layerValues = expectArray(object.layers, 'layers');
  if (layerValues.length === 0)
    throw new FieldError('layers', 'got []; allowed: one layer or more');
  const layers = layerValues.map((layer, i) => readLayer(layer, i + 1));
  return {
    format: RUN_FORMAT,
    version: checkedVersion,
    created: optionalString(object.created, 'created'),
    torch: optionalString(object.torch, 'torch'),
    model: optionalString(object.model, 'model'),
    steps: {
      first: expectInteger(steps.first, 'steps.first', 0, Number.MAX_SAFE_INTEGER),
      every: expectInteger(steps.every, 'steps.every', 1, Number.MAX_SAFE_INTEGER),
      total:
        total === null ? null : expectInteger(total, 'steps.total', 1, Number.MAX_SAFE_INTEGER),
    },
    bins: expectInteger(object.bins, 'bins', 2, 1024),
    saturation: expectFinite(object.saturation, 'saturation', 0),
    layers,
    unused: expectArray(object.unused ?? [], 'unused').map((v, i) =>
      expectString(v, `unused[${i}]`),
    ),
  };
}

/** One step line, checked against the header. Statistics: null where not recorded. */
export interface RunStepRecord {
  readonly step: number;
  readonly loss: number | null;
  /** [layer − 1][metric index in LAYER_METRICS]. */
  readonly values: readonly (readonly (number | null)[])[];
  /** Per layer: the histogram, or null where none was recorded. */
  readonly histograms: readonly ({
    readonly min: number;
    readonly max: number;
    readonly counts: readonly number[];
    readonly nonFinite: number;
  } | null)[];
}

export function readStepRecord(
  object: Record<string, unknown>,
  header: RunFileHeader,
): RunStepRecord {
  const step = expectInteger(object.step, 'step', 0, Number.MAX_SAFE_INTEGER);
  const loss = object.loss === undefined ? null : readStatistic(object.loss, 'loss');
  const layers = expectArray(object.layers, 'layers');
  if (layers.length !== header.layers.length)
    throw new FieldError(
      'layers',
      `${layers.length} entr${layers.length === 1 ? 'y' : 'ies'}, but the header (line 1) lists ${header.layers.length} layer${header.layers.length === 1 ? '' : 's'}: the layer list disagrees with the records`,
    );
  const values: (number | null)[][] = [];
  const histograms: RunStepRecord['histograms'][number][] = [];
  layers.forEach((layer, i) => {
    const field = `layers[${i}]`;
    const entry = expectObject(layer, field);
    values.push(
      LAYER_METRICS.map((metric) =>
        readLayerStatistic(metric, entry[metric] ?? null, `${field}.${metric}`),
      ),
    );
    histograms.push(readHistogram(entry.histogram ?? null, `${field}.histogram`, header.bins));
  });
  return { step, loss, values, histograms };
}

function readHistogram(
  value: unknown,
  field: string,
  bins: number,
): RunStepRecord['histograms'][number] {
  if (value === null) return null;
  const object = expectObject(value, field);
  const counts = expectArray(object.counts, `${field}.counts`);
  if (counts.length !== bins)
    throw new FieldError(
      `${field}.counts`,
      `${counts.length} counts, but the header (line 1) says bins ${bins}`,
    );
  const min = object.min === null ? NaN : readStatistic(object.min, `${field}.min`)!;
  const max = object.max === null ? NaN : readStatistic(object.max, `${field}.max`)!;
  return {
    min,
    max,
    counts: counts.map((c, i) => expectInteger(c, `${field}.counts[${i}]`, 0, 0xffffffff)),
    nonFinite: expectInteger(
      object.nonFinite ?? 0,
      `${field}.nonFinite`,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
  };
}
