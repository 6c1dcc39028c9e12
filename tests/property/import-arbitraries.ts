/**
 * fast-check generators for run files (docs/run-format.md), for the import properties.
 *
 * A generated run is a model (the header and step lines as JavaScript values, non-finite
 * statistics as the numbers NaN, ±Infinity) together with what an importer must make of it (the
 * RunFileHeader and the columnar ImportedRun), computed here from the model alone, without the
 * parser. `writeLine` writes a value as the recorder does (non-finite numbers as the strings
 * "NaN", "Infinity", "-Infinity") or as Python's json.dumps does without allow_nan=False (bare
 * NaN / Infinity tokens), and names the field of each bare token.
 */
import fc from 'fast-check';
import { ACTIVATION_NAMES } from '../../src/engine/activations.ts';
import type { ImportedRun } from '../../src/import/run-data.ts';
import {
  LAYER_METRICS,
  RUN_LAYER_TYPES,
  type LayerMetric,
  type RunFileHeader,
  type RunFileLayer,
} from '../../src/import/run-format.ts';

/** A JSON value as written, except that numbers may be non-finite (written by writeLine). */
export type Written =
  number | string | null | boolean | Written[] | { [key: string]: Written | undefined };
export type WrittenObject = { [key: string]: Written | undefined };

/** JSON turns −0 into 0. */
const asRead = (x: number): number => (Object.is(x, -0) ? 0 : x);

// ---------------------------------------------------------------------------------- writing

export type NonFiniteStyle = 'string' | 'bare';

export interface WrittenLine {
  readonly text: string;
  /** The JSON path of each bare token (style 'bare'), in the order they are written. */
  readonly bareFields: readonly string[];
}

/**
 * One line of JSON, keys in insertion order, undefined members left out (as JSON.stringify
 * does). Non-finite numbers: the format's strings, or bare tokens.
 */
export function writeLine(value: Written, style: NonFiniteStyle): WrittenLine {
  const bareFields: string[] = [];
  const write = (v: Written, path: string): string => {
    if (typeof v === 'number') {
      if (Number.isFinite(v)) return JSON.stringify(v);
      const token = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
      if (style === 'string') return JSON.stringify(token);
      bareFields.push(path);
      return token;
    }
    if (Array.isArray(v)) return `[${v.map((item, i) => write(item, `${path}[${i}]`)).join(',')}]`;
    if (typeof v === 'object' && v !== null)
      return `{${Object.entries(v)
        .filter(([, item]) => item !== undefined)
        .map(
          ([key, item]) => `${JSON.stringify(key)}:${write(item!, path ? `${path}.${key}` : key)}`,
        )
        .join(',')}}`;
    return JSON.stringify(v);
  };
  return { text: write(value, ''), bareFields };
}

// ---------------------------------------------------------------------------------- headers

/** A field that may be left out (undefined), null, or a value. */
function maybe<T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | null | undefined> {
  return fc.oneof(fc.constant(undefined), fc.constant(null), value);
}

/** Any text, multi-byte characters and lone surrogates included. */
export const text = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('features.2', 'Réseau δ‖', '😀', '', 'NaN', '"\\\n'),
);

const positive = fc.oneof(
  fc.integer({ min: 1, max: 512 }),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
);
const finiteNonNegative = fc.double({ min: 0, noNaN: true, noDefaultInfinity: true });
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

export interface GeneratedHeader {
  readonly value: WrittenObject;
  readonly expected: RunFileHeader;
}

const activation = fc
  .record({
    type: text,
    name: text,
    gradlab: maybe(fc.constantFrom(...ACTIVATION_NAMES)),
    alpha: maybe(finite),
    maxSlope: finiteNonNegative,
    via: fc.option(fc.array(text, { maxLength: 2 }), { nil: undefined }),
  })
  .map((a) => ({
    value: a as WrittenObject,
    expected: {
      type: a.type,
      name: a.name,
      gradlab: a.gradlab ?? null,
      alpha: a.alpha === null || a.alpha === undefined ? null : asRead(a.alpha),
      maxSlope: asRead(a.maxSlope),
      via: a.via ?? [],
    },
  }));

const shape = fc.array(fc.oneof(fc.nat(64), fc.maxSafeNat()), { maxLength: 4 });

function layer(index: number) {
  return fc
    .record({
      name: text,
      type: fc.constantFrom(...RUN_LAYER_TYPES),
      weightShape: shape,
      bias: fc.boolean(),
      outputShape: shape,
      units: positive,
      fanIn: positive,
      activation: fc.oneof(fc.constant(undefined), fc.constant(null), activation),
      feedsFromPrevious: maybe(fc.boolean()),
    })
    .map((l) => {
      const linear = l.type === 'Linear';
      const value: WrittenObject = {
        index,
        name: l.name,
        type: l.type,
        weightShape: l.weightShape,
        bias: l.bias,
        outputShape: l.outputShape,
        ...(linear
          ? { inFeatures: l.fanIn, outFeatures: l.units }
          : { inChannels: l.fanIn, outChannels: l.units, kernelSize: [3], stride: [1] }),
        activation:
          l.activation === undefined || l.activation === null ? l.activation : l.activation.value,
        feedsFromPrevious: l.feedsFromPrevious,
      };
      const expected: RunFileLayer = {
        index,
        name: l.name,
        type: l.type,
        weightShape: l.weightShape,
        bias: l.bias,
        outputShape: l.outputShape,
        units: l.units,
        fanIn: l.fanIn,
        activation: l.activation ? l.activation.expected : null,
        feedsFromPrevious: l.feedsFromPrevious ?? null,
      };
      return { value, expected };
    });
}

/** A header within the format: every field in its range, optional ones left out or null. */
export const header: fc.Arbitrary<GeneratedHeader> = fc
  .integer({ min: 1, max: 4 })
  .chain((layerCount) =>
    fc.record({
      created: maybe(text),
      torch: maybe(text),
      model: maybe(text),
      first: fc.oneof(fc.nat(1000), fc.maxSafeNat()),
      every: positive,
      total: maybe(positive),
      bins: fc.oneof(fc.integer({ min: 2, max: 8 }), fc.constantFrom(2, 16, 64)),
      saturation: fc.oneof(fc.constant(1e-3), finiteNonNegative),
      layers: fc.tuple(...Array.from({ length: layerCount }, (_, i) => layer(i + 1))),
      unused: fc.option(fc.array(text, { maxLength: 2 }), { nil: undefined }),
      note: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
    }),
  )
  .map((h) => ({
    value: {
      format: 'gradlab-run',
      version: 1,
      created: h.created,
      torch: h.torch,
      model: h.model,
      steps: { first: h.first, every: h.every, total: h.total },
      bins: h.bins,
      saturation: h.saturation,
      layers: h.layers.map((l) => l.value),
      unused: h.unused,
      // A field this gradlab does not know: ignored.
      note: h.note as Written | undefined,
    },
    expected: {
      format: 'gradlab-run',
      version: 1,
      created: h.created ?? null,
      torch: h.torch ?? null,
      model: h.model ?? null,
      steps: { first: h.first, every: h.every, total: h.total ?? null },
      bins: h.bins,
      saturation: asRead(h.saturation),
      layers: h.layers.map((l) => l.expected),
      unused: h.unused ?? [],
    },
  }));

// ---------------------------------------------------------------------------------- records

const FRACTIONS = new Set<LayerMetric>(['deadFraction', 'saturatedFraction']);
const SIGNED = new Set<LayerMetric>(['activationMean']);
const nonFinite = fc.constantFrom(NaN, Infinity, -Infinity);

/** A value of a statistic the format allows: in range, non-finite, null, or left out. */
function statistic(metric: LayerMetric | 'loss'): fc.Arbitrary<number | null | undefined> {
  const inRange =
    metric === 'loss' || SIGNED.has(metric as LayerMetric)
      ? finite
      : FRACTIONS.has(metric as LayerMetric)
        ? fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1))
        : finiteNonNegative;
  return fc.oneof(
    { arbitrary: inRange, weight: 4 },
    { arbitrary: nonFinite, weight: 2 },
    { arbitrary: fc.constant(null), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

export interface Histogram {
  readonly min: number | null;
  readonly max: number | null;
  readonly counts: readonly number[];
  readonly nonFinite: number | undefined;
}

/** One layer's entry of a step line. */
export interface Entry {
  readonly values: Readonly<Record<LayerMetric, number | null | undefined>>;
  readonly histogram: Histogram | null | undefined;
}

export interface GeneratedRecord {
  readonly step: number;
  readonly loss: number | null | undefined;
  readonly entries: readonly Entry[];
  readonly style: NonFiniteStyle;
}

function histogram(bins: number): fc.Arbitrary<Histogram | null | undefined> {
  const bound = fc.oneof(finite, nonFinite, fc.constant(null));
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: fc.constant(null), weight: 1 },
    {
      arbitrary: fc.record({
        min: bound,
        max: bound,
        counts: fc.array(fc.oneof(fc.nat(100), fc.constant(0xffffffff)), {
          minLength: bins,
          maxLength: bins,
        }),
        nonFinite: fc.option(fc.oneof(fc.nat(9), fc.maxSafeNat()), { nil: undefined }),
      }),
      weight: 4,
    },
  );
}

function entry(bins: number): fc.Arbitrary<Entry> {
  const values = Object.fromEntries(LAYER_METRICS.map((m) => [m, statistic(m)])) as {
    [M in LayerMetric]: fc.Arbitrary<number | null | undefined>;
  };
  return fc.record({ values: fc.record(values), histogram: histogram(bins) });
}

/** The value of a step line. */
export function stepValue(record: GeneratedRecord): WrittenObject {
  return {
    type: 'step',
    step: record.step,
    loss: record.loss,
    layers: record.entries.map((e) => ({
      ...e.values,
      histogram:
        e.histogram === undefined || e.histogram === null
          ? e.histogram
          : { ...e.histogram, counts: [...e.histogram.counts] },
    })),
  };
}

export interface GeneratedRun {
  readonly header: GeneratedHeader;
  readonly records: readonly GeneratedRecord[];
}

/** A header and 0–`maxRecords` step records for it, steps increasing. */
export function run(maxRecords = 6, minRecords = 0): fc.Arbitrary<GeneratedRun> {
  return header.chain((h) =>
    fc
      .record({
        first: fc.nat(1000),
        records: fc.array(
          fc.record({
            gap: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(1)),
            loss: statistic('loss'),
            entries: fc.tuple(...h.expected.layers.map(() => entry(h.expected.bins))),
            style: fc.constantFrom<NonFiniteStyle>('string', 'bare'),
          }),
          { minLength: minRecords, maxLength: maxRecords },
        ),
      })
      .map(({ first, records }) => {
        let step = first - 1;
        return {
          header: h,
          records: records.map((r) => {
            step += r.gap;
            return { step, loss: r.loss, entries: r.entries, style: r.style };
          }),
        };
      }),
  );
}

/** The run an importer must make of `records` under `header` (complete: an end line was read). */
export function expectedRun(
  header: RunFileHeader,
  records: readonly GeneratedRecord[],
  complete: boolean,
): ImportedRun {
  const n = records.length;
  const layers = header.layers.length;
  const bins = header.bins;
  const cells = n * layers;
  const metrics = Object.fromEntries(
    LAYER_METRICS.map((m) => [m, new Float64Array(cells)]),
  ) as Record<LayerMetric, Float64Array>;
  const missing = Object.fromEntries(
    LAYER_METRICS.map((m) => [m, new Uint8Array(cells)]),
  ) as Record<LayerMetric, Uint8Array>;
  const run = {
    header,
    layerCount: layers,
    bins,
    recordCount: n,
    steps: new Float64Array(records.map((r) => r.step)),
    loss: new Float64Array(records.map((r) => asRead(r.loss ?? NaN))),
    lossMissing: new Uint8Array(
      records.map((r) => (r.loss === null || r.loss === undefined ? 1 : 0)),
    ),
    metrics,
    missing,
    histogramMin: new Float64Array(cells),
    histogramMax: new Float64Array(cells),
    histogramCounts: new Uint32Array(cells * bins),
    histogramNonFinite: new Uint32Array(cells),
    histogramMissing: new Uint8Array(cells),
    complete,
  };
  records.forEach((record, r) => {
    record.entries.forEach((e, l) => {
      const cell = r * layers + l;
      for (const m of LAYER_METRICS) {
        const value = e.values[m];
        metrics[m][cell] = asRead(value ?? NaN);
        missing[m][cell] = value === null || value === undefined ? 1 : 0;
      }
      const h = e.histogram;
      run.histogramMin[cell] = h ? asRead(h.min ?? NaN) : NaN;
      run.histogramMax[cell] = h ? asRead(h.max ?? NaN) : NaN;
      if (h) run.histogramCounts.set(h.counts, cell * bins);
      run.histogramNonFinite[cell] = h ? (h.nonFinite ?? 0) : 0;
      run.histogramMissing[cell] = h ? 0 : 1;
    });
  });
  return run;
}

// ---------------------------------------------------------------------------------- files

export interface FileLayout {
  /** Line ending of each line: "\n" or "\r\n". */
  readonly crlf: boolean;
  /** Whether the last line ends with a line break. */
  readonly finalNewline: boolean;
  /** A byte-order mark before line 1. */
  readonly bom: boolean;
}

export const layout: fc.Arbitrary<FileLayout> = fc.record({
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
  bom: fc.boolean(),
});

/** Joins lines into a file's text. */
export function joinLines(
  lines: readonly string[],
  { crlf, finalNewline, bom }: FileLayout,
): string {
  const eol = crlf ? '\r\n' : '\n';
  return `${bom ? '\uFEFF' : ''}${lines.join(eol)}${finalNewline ? eol : ''}`;
}

/** The end line the recorder writes on close. */
export function endValue(records: readonly GeneratedRecord[]): WrittenObject {
  return { type: 'end', steps: (records.at(-1)?.step ?? -1) + 1, records: records.length };
}

// ---------------------------------------------------------------------------------- chunks

/** Cut points as fractions of the length (0 to 1), turned into chunks of bytes or characters. */
export const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 24 });

export function chunksOf<T extends string | Uint8Array>(
  content: T,
  fractions: readonly number[],
): T[] {
  const points = [
    ...new Set(fractions.map((f) => Math.floor(f * content.length)).concat(0, content.length)),
  ].sort((a, b) => a - b);
  const chunks: T[] = [];
  for (let i = 0; i + 1 < points.length; i++)
    chunks.push(content.slice(points[i], points[i + 1]) as T);
  // An empty chunk now and then (a stream may deliver one).
  if (fractions.length % 3 === 1)
    chunks.splice(Math.min(1, chunks.length), 0, content.slice(0, 0) as T);
  return chunks;
}

// ---------------------------------------------------------------------------------- garbage

/** Deeply nested JSON (with or without a bare token inside): deeper than any stack. */
export const deepLine = fc
  .record({
    depth: fc.integer({ min: 1, max: 20_000 }),
    open: fc.constantFrom('[', '{"a":'),
    inner: fc.constantFrom('1', 'NaN', '"x"', '-Infinity'),
  })
  .map(
    ({ depth, open, inner }) =>
      `${open.repeat(depth)}${inner}${(open === '[' ? ']' : '}').repeat(depth)}`,
  );

/** Fragments of run files, for a soup of lines that are almost JSON. */
export const fragment = fc.oneof(
  fc.constantFrom(
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    '"',
    '\\',
    '\n',
    '\r\n',
    '\r',
    ' ',
    '\uFEFF',
    '\u2028',
    '\u0000',
    'NaN',
    '-Infinity',
    'Infinity',
    'null',
    'true',
    '1e400',
    '-0',
    '"type":"step"',
    '"type":"end"',
    '"step":',
    '"layers":[',
    '"histogram":{"min":0,"max":1,"counts":[1,2],"nonFinite":0}',
    '"gradNorm":',
    '"deadFraction":1.5',
    '"__proto__":{"type":"step"}',
    '{"type":"step","step":5,"layers":[{}]}',
    '{"type":"end","steps":1,"records":1}',
    '{"format":"gradlab-run","version":1}',
  ),
  text,
);
