/**
 * The run-file importer (src/import/run-parser.ts) under generated files: valid ones round-trip
 * whatever the chunking; a file cut at any byte keeps exactly the records before the cut;
 * corrupted lines are each reported at their line (and field) while the other lines are imported;
 * a line over maxLineLength is refused at its line, by the chunk that passes the limit; and any
 * bytes at all end in a result, never a throw or a hang. Every message is one line, and names a
 * line within the file (0: the file as a whole).
 *
 * These properties found bugs, fixed in src/import (REGRESSIONS below keeps one input of each).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LAYER_METRICS, type LayerMetric } from '../../src/import/run-format.ts';
import {
  parseRunFile,
  RunFileParser,
  type RunParseResult,
  type RunParserOptions,
} from '../../src/import/run-parser.ts';
import { propertyRuns } from './config.ts';
import {
  chunksOf,
  cuts,
  deepLine,
  endValue,
  expectedRun,
  fragment,
  joinLines,
  layout,
  run,
  stepValue,
  text,
  writeLine,
  type GeneratedRecord,
  type GeneratedRun,
  type Written,
  type FileLayout,
  type WrittenObject,
} from './import-arbitraries.ts';

const encoder = new TextEncoder();

type Input = string | Uint8Array;

function parseChunks(chunks: readonly Input[], options?: RunParserOptions): RunParseResult {
  const parser = new RunFileParser(options);
  for (const chunk of chunks) parser.push(chunk);
  return parser.finish();
}

/** The text the parser reads (bytes decoded as it decodes them). */
function decoded(input: Input): string {
  return typeof input === 'string' ? input : new TextDecoder().decode(input);
}

/** 1-based number of the first line that is not blank; 0 when there is none. */
function firstNonBlankLine(content: string): number {
  const index = content.split('\n').findIndex((line) => line.trim() !== '');
  return index + 1;
}

/** [line, field, severity] of a problem: what a property can know without the wording. */
type Where = readonly [number, string | null, 'error' | 'warning'];
const where = (result: RunParseResult): Where[] =>
  result.problems.map((p) => [p.line, p.field, p.severity] as const);

const FILE_MESSAGES = /^(the file is empty|no end line|no step records)/;
const LONG_LINE = /^longer than (\d+) characters without a line break/;
const FRACTIONS = new Set<LayerMetric>(['deadFraction', 'saturatedFraction']);
const SIGNED = new Set<LayerMetric>(['activationMean']);

/**
 * What every result must be, whatever the input: the problems within their limits, each naming a
 * line of the file, its message one line and not a stack trace; fatal exactly when there is no
 * run; a run's records checked (steps increasing, statistics within their ranges).
 */
function violations(
  result: RunParseResult,
  input: Input,
  options: RunParserOptions = {},
): string[] {
  const found: string[] = [];
  const content = decoded(input);
  const lineCount = content.split('\n').length;
  const maxProblems = options.maxProblems ?? 200;
  if (result.problems.length > maxProblems) found.push(`${result.problems.length} problems kept`);
  if (result.problemCount < result.problems.length) found.push('problemCount < problems kept');
  for (const p of result.problems) {
    const at = `problem ${JSON.stringify(p)}`;
    if (!Number.isInteger(p.line) || p.line < 0 || p.line > lineCount)
      found.push(`${at}: line outside 0..${lineCount}`);
    if (p.severity !== 'error' && p.severity !== 'warning') found.push(`${at}: severity`);
    if (typeof p.message !== 'string' || p.message.trim() === '') found.push(`${at}: no message`);
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u001f]/.test(p.message)) found.push(`${at}: not one line`);
    if (/\bat \S*\s?\(?(?:file:|node:|\/)\S*:\d+:\d+/.test(p.message))
      found.push(`${at}: a stack trace`);
    // eslint-disable-next-line no-control-regex
    if (p.field !== null && (p.field === '' || /[\u0000-\u001f]/.test(p.field)))
      found.push(`${at}: field`);
    if (p.line === 0 && !FILE_MESSAGES.test(p.message)) found.push(`${at}: line 0`);
    const long = LONG_LINE.exec(p.message);
    if (long && options.maxLineLength !== undefined && Number(long[1]) !== options.maxLineLength)
      found.push(`${at}: not the limit`);
  }
  const { fatal, run } = result;
  if (fatal) {
    if (run !== null) found.push('a run and a fatal problem');
    if (fatal.severity !== 'error') found.push('fatal is not an error');
    if (fatal.line === 0) {
      if (!/^the file is empty/.test(fatal.message)) found.push('fatal at line 0, not empty');
    } else if (!LONG_LINE.test(fatal.message) && fatal.line !== firstNonBlankLine(content))
      found.push(`fatal at line ${fatal.line}, not the header's ${firstNonBlankLine(content)}`);
    if (result.problems.length < maxProblems && !result.problems.includes(fatal))
      found.push('fatal not among the problems');
  } else if (run === null) found.push('neither a run nor a fatal problem');
  if (run) {
    const n = run.recordCount;
    const cells = n * run.layerCount;
    if (n > lineCount) found.push(`${n} records from ${lineCount} lines`);
    if (run.steps.length !== n || run.loss.length !== n || run.histogramMin.length !== cells)
      found.push('array lengths');
    if (run.histogramCounts.length !== cells * run.bins) found.push('histogram length');
    for (let r = 0; r < n; r++) {
      const step = run.steps[r]!;
      if (!Number.isSafeInteger(step) || step < 0) found.push(`step ${step}`);
      if (r > 0 && !(step > run.steps[r - 1]!)) found.push(`steps not increasing at ${r}`);
      if (run.lossMissing[r] && !Number.isNaN(run.loss[r])) found.push(`loss ${r}`);
    }
    for (const m of LAYER_METRICS) {
      run.metrics[m].forEach((value, cell) => {
        if (run.missing[m][cell] && !Number.isNaN(value)) found.push(`${m}[${cell}] missing`);
        if (!Number.isFinite(value) || SIGNED.has(m)) return;
        if (value < 0 || (FRACTIONS.has(m) && value > 1)) found.push(`${m}[${cell}] = ${value}`);
      });
    }
    for (let cell = 0; cell < cells; cell++) {
      if (!run.histogramMissing[cell]) continue;
      const counts = run.histogramCounts.subarray(cell * run.bins, (cell + 1) * run.bins);
      if (!Number.isNaN(run.histogramMin[cell]) || counts.some((c) => c !== 0))
        found.push(`histogram ${cell} missing but filled`);
    }
  }
  return found;
}

function expectSound(result: RunParseResult, input: Input, options?: RunParserOptions): void {
  expect(violations(result, input, options), JSON.stringify(result.problems)).toEqual([]);
}

/** Parses in chunks of bytes or of characters (a chunk may end inside a character). */
const chunking = fc.record({ bytes: fc.boolean(), cuts });

/**
 * Parses `content` in one piece and in chunks (as bytes when `how.bytes`: text with a lone
 * surrogate then reads as U+FFFD, as a file would), checks that both give the same result, and
 * returns the one-piece result of the text itself.
 */
function parseBothWays(
  content: Input,
  how: { bytes: boolean; cuts: readonly number[] },
  options?: RunParserOptions,
): RunParseResult {
  const result = parseRunFile(content, options);
  const input = how.bytes && typeof content === 'string' ? encoder.encode(content) : content;
  const whole = input === content ? result : parseRunFile(input, options);
  expectSound(whole, input, options);
  expect(parseChunks(chunksOf(input, how.cuts), options)).toEqual(whole);
  return result;
}

/** Parser options: left out, few problems kept, short line limits (most inputs then refused). */
const lineLimit = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 4000 }));
const options: fc.Arbitrary<RunParserOptions> = fc
  .record({
    maxProblems: fc.option(fc.nat(6), { nil: undefined }),
    maxLineLength: fc.option(lineLimit, { nil: undefined }),
  })
  .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));

// ------------------------------------------------------------------------- valid files

interface WrittenFile {
  readonly text: string;
  /** Per line: the field of its first bare token, or null. */
  readonly bare: readonly (string | null)[];
}

function writeFile(generated: GeneratedRun, end: boolean, form: FileLayout): WrittenFile {
  const lines = [
    writeLine(generated.header.value, 'string'),
    ...generated.records.map((r) => writeLine(stepValue(r), r.style)),
    ...(end ? [writeLine(endValue(generated.records), 'string')] : []),
  ];
  return {
    text: joinLines(
      lines.map((l) => l.text),
      form,
    ),
    bare: lines.map((l) => l.bareFields[0] ?? null),
  };
}

/** The warnings a valid file gets: its bare tokens, a missing end line, no records. */
function validFileWarnings(file: WrittenFile, records: number, end: boolean): Where[] {
  return [
    ...file.bare.flatMap((field, i) =>
      field === null ? [] : [[i + 1, field, 'warning'] as const],
    ),
    ...(end ? [] : [[0, null, 'warning'] as const]),
    ...(records === 0 ? [[0, null, 'warning'] as const] : []),
  ];
}

// ------------------------------------------------------------------------- corrupted files

/** What the importer must make of one line, by construction. */
type LineKind =
  | { readonly kind: 'header' }
  | { readonly kind: 'step'; readonly record: GeneratedRecord }
  /** A step line with one field out of the format: an error naming that field. */
  | { readonly kind: 'badField'; readonly field: string }
  /** Not JSON: an error naming no field (or, as the last line without a break, a cut). */
  | { readonly kind: 'garbage' }
  /** JSON, but not an object: an error naming no field. */
  | { readonly kind: 'nonObject' }
  /** An object whose type is not a string: an error naming "type". */
  | { readonly kind: 'badType' }
  /** A type this gradlab does not know: a warning naming "type". */
  | { readonly kind: 'unknownType' }
  | { readonly kind: 'end'; readonly records: number }
  | { readonly kind: 'blank' };

interface Line {
  readonly text: string;
  readonly what: LineKind;
  /** The field of the line's first bare NaN / Infinity, or null. */
  readonly bare: string | null;
}

interface CorruptedFile {
  readonly header: GeneratedRun['header'];
  readonly lines: readonly Line[];
  readonly text: string;
  readonly finalNewline: boolean;
}

function lineOf(value: Written, style: 'string' | 'bare', what: LineKind): Line {
  const written = writeLine(value, style);
  return { text: written.text, what, bare: written.bareFields[0] ?? null };
}

/** One field of a valid step line made wrong (a wrong type, out of range, or missing). */
function breakField(record: GeneratedRecord, bins: number, choice: number, at: number): Line {
  const value = stepValue(record) as { layers: WrittenObject[] } & WrittenObject;
  const layers = value.layers;
  const l = at % layers.length;
  const layer = layers[l]!;
  const metric = LAYER_METRICS[at % LAYER_METRICS.length]!;
  const validHistogram = (): WrittenObject => {
    const histogram = { min: 0, max: 1, counts: Array<number>(bins).fill(1), nonFinite: 0 };
    layer.histogram = histogram;
    return histogram;
  };
  const cases: (() => string)[] = [
    () => ((value.step = undefined), 'step'),
    () => ((value.step = -1), 'step'),
    () => ((value.step = 1.5), 'step'),
    () => ((value.step = String(record.step)), 'step'),
    () => ((value.loss = 'large'), 'loss'),
    () => ((value.loss = true), 'loss'),
    () => ((value.layers = undefined as unknown as WrittenObject[]), 'layers'),
    () => ((value.layers = {} as unknown as WrittenObject[]), 'layers'),
    () => (layers.push({}), 'layers'),
    () => (layers.pop(), 'layers'),
    () => ((layers[l] = 5 as unknown as WrittenObject), `layers[${l}]`),
    () => ((layer[metric] = 'large'), `layers[${l}].${metric}`),
    () => ((layer[metric] = [1]), `layers[${l}].${metric}`),
    () => ((layer.deadFraction = 1.5), `layers[${l}].deadFraction`),
    () => ((layer.saturatedFraction = -0.25), `layers[${l}].saturatedFraction`),
    () => ((layer.gradNorm = -1), `layers[${l}].gradNorm`),
    () => ((layer.histogram = 3), `layers[${l}].histogram`),
    () => ((validHistogram().counts as number[]).push(0), `layers[${l}].histogram.counts`),
    () => {
      const counts = validHistogram().counts as number[];
      counts[at % counts.length] = at % 2 ? -1 : 2 ** 32;
      return `layers[${l}].histogram.counts[${at % counts.length}]`;
    },
    () => ((validHistogram().min = undefined), `layers[${l}].histogram.min`),
    () => ((validHistogram().max = 'big'), `layers[${l}].histogram.max`),
    () => ((validHistogram().nonFinite = -1), `layers[${l}].histogram.nonFinite`),
  ];
  const field = cases[choice % cases.length]!();
  return lineOf(value, record.style, { kind: 'badField', field });
}

/** A line that is not a step or end line of this file. */
const strayLine: fc.Arbitrary<Line> = fc.oneof(
  text.map((t) => ({
    text: `§${t.replace(/[\r\n]/g, '')}`,
    what: { kind: 'garbage' } as const,
    bare: null,
  })),
  fc.constantFrom('[1,2]', '3', '"x"', 'null', 'true', '[]', '-0').map((t) => ({
    text: t,
    what: { kind: 'nonObject' } as const,
    bare: null,
  })),
  deepLine
    .filter((t) => !/NaN|Infinity/.test(t))
    .map((t) => ({
      text: t,
      what: (t.startsWith('[') ? { kind: 'nonObject' } : { kind: 'badType' }) as LineKind,
      bare: null,
    })),
  fc.constantFrom('', ' ', '\t', ' \t ', '\uFEFF', '\u00a0').map((t) => ({
    text: t,
    what: { kind: 'blank' } as const,
    bare: null,
  })),
  fc.constantFrom('{"type":5}', '{"step":1}', '{"type":null,"step":3}', '{}').map((t) => ({
    text: t,
    what: { kind: 'badType' } as const,
    bare: null,
  })),
  text.map((t) => lineOf({ type: 'note', text: t }, 'string', { kind: 'unknownType' })),
);

type Edit =
  | { readonly op: 'break'; readonly line: number; readonly choice: number; readonly at: number }
  | { readonly op: 'cut'; readonly line: number; readonly at: number }
  | { readonly op: 'insert'; readonly line: number; readonly stray: Line }
  | { readonly op: 'duplicate'; readonly line: number }
  | { readonly op: 'swap'; readonly line: number; readonly other: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant('break' as const), line: fc.nat(), choice: fc.nat(), at: fc.nat() }),
  fc.record({
    op: fc.constant('cut' as const),
    line: fc.nat(),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({ op: fc.constant('insert' as const), line: fc.nat(), stray: strayLine }),
  fc.record({ op: fc.constant('duplicate' as const), line: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), line: fc.nat(), other: fc.nat() }),
);

/**
 * A valid file with lines broken, cut, inserted, duplicated and swapped; each line knows what it
 * is. Edits leave line 1 in place but for a few (a swap or an insertion at 0), which then make
 * the file one the importer refuses.
 */
const corruptedFile: fc.Arbitrary<CorruptedFile> = fc
  .record({
    generated: run(6),
    end: fc.boolean(),
    edits: fc.array(edit, { maxLength: 6 }),
    form: layout,
    crlfLines: fc.array(fc.boolean(), { maxLength: 16 }),
    touchHeader: fc.nat(9),
  })
  .map(({ generated, end, edits, form, crlfLines, touchHeader }) => {
    const lines: Line[] = [
      lineOf(generated.header.value, 'string', { kind: 'header' }),
      ...generated.records.map((record) =>
        lineOf(stepValue(record), record.style, { kind: 'step', record }),
      ),
      ...(end
        ? [
            lineOf(endValue(generated.records), 'string', {
              kind: 'end',
              records: generated.records.length,
            }),
          ]
        : []),
    ];
    // Line 1 stays the header unless touchHeader is 0 (one case in ten).
    const first = touchHeader === 0 ? 0 : 1;
    const pick = (n: number, size = lines.length) => first + (n % Math.max(1, size - first));
    for (const e of edits) {
      if (lines.length <= first) break;
      const i = pick(e.line);
      const target = lines[i]!;
      switch (e.op) {
        case 'break':
          if (target.what.kind === 'step')
            lines[i] = breakField(
              target.what.record,
              generated.header.expected.bins,
              e.choice,
              e.at,
            );
          break;
        case 'cut':
          if (target.what.kind === 'step' || target.what.kind === 'end')
            lines[i] = {
              // A strict prefix: at least "{", never the whole line.
              text: target.text.slice(
                0,
                Math.min(
                  target.text.length - 1,
                  Math.max(1, Math.floor(e.at * target.text.length)),
                ),
              ),
              what: { kind: 'garbage' },
              bare: null,
            };
          break;
        case 'insert':
          lines.splice(pick(e.line, lines.length + 1), 0, e.stray);
          break;
        case 'duplicate':
          lines.splice(i + 1, 0, target);
          break;
        case 'swap': {
          const j = pick(e.other);
          lines[i] = lines[j]!;
          lines[j] = target;
          break;
        }
      }
    }
    // Each line ends with \n or \r\n (\r\n: the \r is not part of the line).
    const eols = lines.map((_, i) =>
      crlfLines[i % Math.max(1, crlfLines.length)] ? '\r\n' : '\n',
    );
    const body = lines
      .map((line, i) =>
        i + 1 < lines.length || form.finalNewline ? line.text + eols[i] : line.text,
      )
      .join('');
    return {
      header: generated.header,
      lines,
      text: `${form.bom ? '\uFEFF' : ''}${body}`,
      finalNewline: form.finalNewline,
    };
  });

/** What the importer must report and import, line by line, by the format's rules. */
function simulate(file: CorruptedFile) {
  const problems: Where[] = [];
  const records: GeneratedRecord[] = [];
  let header = false;
  let endLine = 0;
  let endRecords = 0;
  const last = file.lines.length - 1;
  for (let i = 0; i <= last; i++) {
    const { what, bare } = file.lines[i]!;
    const line = i + 1;
    if (what.kind === 'blank') continue;
    if (!header) {
      if (what.kind !== 'header') return { fatalLine: line, problems, records, ended: false };
      header = true;
      continue;
    }
    if (i === last && !file.finalNewline && what.kind === 'garbage') {
      problems.push([line, null, 'warning']); // the file ends in the middle of this line
      continue;
    }
    if (bare !== null) problems.push([line, bare, 'warning']);
    const error = (field: string | null) => problems.push([line, field, 'error']);
    switch (what.kind) {
      case 'garbage':
      case 'nonObject':
        error(null);
        break;
      case 'header':
      case 'badType':
        error('type');
        break;
      case 'badField':
        error(endLine ? 'type' : what.field);
        break;
      case 'unknownType':
        if (endLine) error('type');
        else problems.push([line, 'type', 'warning']);
        break;
      case 'end':
        if (endLine) error('type');
        else [endLine, endRecords] = [line, what.records];
        break;
      case 'step': {
        const previous = records.at(-1)?.step;
        if (endLine) error('type');
        else if (previous !== undefined && what.record.step <= previous) error('step');
        else records.push(what.record);
        break;
      }
    }
  }
  if (!header) return { fatalLine: 0, problems, records, ended: false };
  if (!endLine) problems.push([0, null, 'warning']);
  else if (endRecords !== records.length) problems.push([endLine, 'records', 'warning']);
  if (records.length === 0) problems.push([0, null, 'warning']);
  return { fatalLine: null, problems, records, ended: endLine > 0 };
}

// ------------------------------------------------------------------------- any input

/** Remove a few characters at a point and insert a fragment there. */
const charEdit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  remove: fc.oneof(fc.constant(0), fc.nat(3), fc.nat(40)),
  insert: fc.oneof(
    fc.constant(''),
    fragment,
    fc.array(fragment, { maxLength: 4 }).map((f) => f.join('')),
  ),
});

/** A valid header line, then anything. */
const afterHeader = (tail: fc.Arbitrary<string>) =>
  fc
    .tuple(run(1), tail)
    .map(([generated, rest]) => `${writeLine(generated.header.value, 'string').text}\n${rest}`);

const soup = fc.array(fc.oneof(fragment, deepLine), { maxLength: 12 }).map((f) => f.join(''));

/** Inputs of every kind: bytes, text, almost-JSON, valid and edited files. */
const anyInput: fc.Arbitrary<Input> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  soup,
  afterHeader(soup),
  afterHeader(fc.string({ unit: 'binary', maxLength: 100 })),
  fc.tuple(run(1), fc.uint8Array({ maxLength: 100 })).map(([generated, bytes]) => {
    const head = encoder.encode(`${writeLine(generated.header.value, 'string').text}\n`);
    const all = new Uint8Array(head.length + bytes.length);
    all.set(head);
    all.set(bytes, head.length);
    return all;
  }),
  corruptedFile.map((file) => file.text),
  fc.tuple(run(3), fc.array(charEdit, { maxLength: 3 })).map(([generated, edits]) =>
    edits.reduce(
      (text, e) => {
        const at = Math.floor(e.at * (text.length + 1));
        return text.slice(0, at) + e.insert + text.slice(at + e.remove);
      },
      writeFile(generated, true, { crlf: false, finalNewline: true, bom: false }).text,
    ),
  ),
);

/** The bugs these properties found, tried first on every run (whatever the seed). */
const VALID_HEADER = JSON.stringify({
  format: 'gradlab-run',
  version: 1,
  steps: { first: 0, every: 1 },
  bins: 2,
  saturation: 0,
  layers: [
    { index: 1, name: 'a', type: 'Linear', weightShape: [1, 1], bias: true, outputShape: [1, 1] },
  ].map((layer) => ({ ...layer, inFeatures: 1, outFeatures: 1 })),
});
const BARE_STEP =
  '{"type":"step","step":0,"loss":NaN,"layers":[{"gradNorm":Infinity,"histogram":null}]}';
const oneChunk = { bytes: false, cuts: [] };
const REGRESSIONS: [Input, RunParserOptions, { bytes: boolean; cuts: number[] }][] = [
  // A RangeError: shown() of an array nested deeper than the stack (String() recursed).
  [`${VALID_HEADER}\n${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, {}, oneChunk],
  [`${'['.repeat(20_000)}1${']'.repeat(20_000)}\n`, {}, oneChunk],
  // A RangeError: readBareNonFinite walked a deep line with a bare token recursively.
  [`${VALID_HEADER}\n${'{"a":'.repeat(20_000)}NaN${'}'.repeat(20_000)}\n`, {}, oneChunk],
  // A line over the limit: accepted in one chunk, refused in several.
  [
    `${VALID_HEADER}\n{"type":"note","pad":"${'x'.repeat(300)}"}\n`,
    { maxLineLength: 250 },
    oneChunk,
  ],
  [
    `${VALID_HEADER}\n{"type":"note","pad":"${'x'.repeat(300)}"}\n`,
    { maxLineLength: 250 },
    { bytes: true, cuts: [0.7] },
  ],
  // A last line without a break, whole but for its bare NaN: dropped as cut off.
  [`${VALID_HEADER}\n${BARE_STEP}`, {}, oneChunk],
  // Blank lines, then not JSON: refused at "line 1" (the header check said line 3).
  ['\n\nPK\u0003\u0004', {}, oneChunk],
  ['\nfeatures.2', {}, oneChunk],
  // JSON.parse's message quoting a lone \r: a message on two lines.
  [`${VALID_HEADER}\nab\rcd\n`, {}, oneChunk],
  // A bare token under a key holding a line break: a field (and message) on two lines.
  [`${VALID_HEADER}\n{"type":"step","x\\ny":NaN,"z":-Infinity}\n`, {}, oneChunk],
  // The refusal quoted as many characters as the first chunk held.
  [new Uint8Array([0, 0]), {}, { bytes: true, cuts: [0.5] }],
  ['"__proto__": 1', {}, { bytes: false, cuts: [0.1] }],
];

describe('run-file import properties', () => {
  it('a valid file round-trips, with only its warnings, whatever the chunks', () => {
    fc.assert(
      fc.property(run(), fc.boolean(), layout, chunking, (generated, end, form, how) => {
        const file = writeFile(generated, end, form);
        const expected = expectedRun(generated.header.expected, generated.records, end);
        for (const result of [parseRunFile(file.text), parseBothWays(file.text, how)]) {
          expectSound(result, file.text);
          expect(result.fatal).toBeNull();
          expect(where(result)).toEqual(validFileWarnings(file, generated.records.length, end));
          expect(result.run).toEqual(expected);
        }
      }),
      propertyRuns(300),
    );
  });

  // ----------------------------------------------------------------------- truncation

  it('a file cut at any byte keeps exactly the whole records before the cut', () => {
    fc.assert(
      fc.property(
        run(5),
        layout,
        fc.double({ min: 0, max: 1, noNaN: true }),
        cuts,
        (generated, form, at, chunkCuts) => {
          const file = writeFile(generated, true, form);
          const bytes = encoder.encode(file.text);
          const cut = Math.floor(at * (bytes.length + 1));
          const input = bytes.slice(0, Math.min(cut, bytes.length));
          const result = parseRunFile(input);
          expectSound(result, input);
          expect(parseChunks(chunksOf(input, chunkCuts))).toEqual(result);

          // Where each line's text ends, in bytes (its line break not included).
          const eol = form.crlf ? 2 : 1;
          let offset = form.bom ? 3 : 0;
          const ends = file.text
            .replace(/^\uFEFF/, '')
            .split(form.crlf ? '\r\n' : '\n')
            .map((line) => (offset += encoder.encode(line).length + eol) - eol)
            .slice(0, generated.records.length + 2);
          const whole = ends.filter((e) => e <= input.length).length;
          const starts = [form.bom ? 3 : 0, ...ends.map((e) => e + eol)];
          const midLine = input.length > starts[whole]! && whole < generated.records.length + 2;
          if (decoded(input).trim() === '') {
            expect(result.fatal).toMatchObject({ line: 0 });
            return;
          }
          if (whole === 0) {
            expect(result.fatal, 'a cut header is refused at line 1').toMatchObject({ line: 1 });
            expect(result.run).toBeNull();
            return;
          }
          const records = generated.records.slice(0, Math.max(0, whole - 1));
          const ended = whole === generated.records.length + 2;
          expect(result.fatal).toBeNull();
          expect(result.run).toEqual(expectedRun(generated.header.expected, records, ended));
          const warnings = validFileWarnings(
            { text: file.text, bare: file.bare.slice(0, whole) },
            records.length,
            ended,
          );
          const fileLevel = warnings.findIndex(([line]) => line === 0);
          if (midLine)
            warnings.splice(fileLevel < 0 ? warnings.length : fileLevel, 0, [
              whole + 1,
              null,
              'warning',
            ]);
          expect(where(result)).toEqual(warnings);
          if (midLine)
            expect(result.problems.find((p) => p.line === whole + 1)!.message).toMatch(
              /^the file ends in the middle of this line \(truncated\?\)/,
            );
        },
      ),
      propertyRuns(400),
    );
  });

  // ----------------------------------------------------------------------- corrupted lines

  it('each corrupted line is reported at its line and field; the other lines are imported', () => {
    fc.assert(
      fc.property(corruptedFile, chunking, (file, how) => {
        const result = parseBothWays(file.text, how);
        expectSound(result, file.text);
        const expected = simulate(file);
        if (expected.fatalLine !== null) {
          expect(result.fatal?.line).toBe(expected.fatalLine);
          expect(result.run).toBeNull();
          expect(result.problems.every((p) => p.line === expected.fatalLine)).toBe(true);
          return;
        }
        expect(result.fatal).toBeNull();
        expect(where(result)).toEqual(expected.problems);
        expect(result.run).toEqual(
          expectedRun(file.header.expected, expected.records, expected.ended),
        );
      }),
      propertyRuns(400),
    );
  });

  it('keeps the first maxProblems problems and counts them all', () => {
    fc.assert(
      fc.property(corruptedFile, fc.nat(6), (file, maxProblems) => {
        const all = parseRunFile(file.text);
        const kept = parseRunFile(file.text, { maxProblems });
        expectSound(kept, file.text, { maxProblems });
        expect(kept.problems).toEqual(all.problems.slice(0, maxProblems));
        expect(kept.problemCount).toBe(all.problemCount);
        expect(kept.problemCount).toBeGreaterThanOrEqual(all.problems.length);
        expect(kept.fatal).toEqual(all.fatal);
        expect(kept.run).toEqual(all.run);
      }),
      propertyRuns(150),
    );
  });

  // ----------------------------------------------------------------------- any input

  it('a valid file with random characters edited: sound, and the lines before the first edit imported', () => {
    fc.assert(
      fc.property(
        run(5, 1),
        fc.boolean(),
        fc.array(charEdit, { minLength: 1, maxLength: 4 }),
        chunking,
        (generated, end, edits, how) => {
          const original = writeFile(generated, end, {
            crlf: false,
            finalNewline: true,
            bom: false,
          });
          let edited = original.text;
          for (const e of edits) {
            const at = Math.floor(e.at * (edited.length + 1));
            edited = edited.slice(0, at) + e.insert + edited.slice(at + e.remove);
          }
          const result = parseBothWays(edited, how);
          expectSound(result, edited);
          // Lines 1..same are unchanged, line breaks included.
          const before = original.text.split('\n');
          const after = edited.split('\n');
          let same = 0;
          while (same < Math.min(before.length, after.length) - 1 && before[same] === after[same])
            same++;
          if (same === 0) return;
          expect(result.fatal).toBeNull();
          const kept = generated.records.slice(0, same - 1);
          expect(Array.from(result.run!.steps.slice(0, kept.length))).toEqual(
            kept.map((r) => r.step),
          );
          const expected = expectedRun(generated.header.expected, kept, false);
          expect(result.run!.loss.slice(0, kept.length)).toEqual(expected.loss);
          expect(result.run!.metrics.gradNorm.slice(0, kept.length * expected.layerCount)).toEqual(
            expected.metrics.gradNorm,
          );
          // Those lines' only problems are their bare tokens.
          expect(where(result).filter(([line]) => line >= 1 && line <= same)).toEqual(
            original.bare
              .slice(0, same)
              .flatMap((field, i) => (field === null ? [] : [[i + 1, field, 'warning'] as const])),
          );
        },
      ),
      propertyRuns(300),
    );
  });

  it('any bytes or text: a result, never a throw; the same in one piece or in chunks', () => {
    let slowest = 0;
    fc.assert(
      fc.property(anyInput, options, chunking, (input, parserOptions, how) => {
        const start = performance.now();
        const result = parseBothWays(input, how, parserOptions);
        slowest = Math.max(slowest, performance.now() - start);
        expectSound(result, input, parserOptions);
      }),
      { ...propertyRuns(500), examples: REGRESSIONS },
    );
    console.info(`import property: slowest parse ${slowest.toFixed(1)} ms`);
  });

  // ----------------------------------------------------------------------- oversized lines

  it('a line over maxLineLength is refused at its line, as soon as a chunk passes the limit', () => {
    fc.assert(
      fc.property(
        run(4, 1),
        fc.nat(),
        fc.nat(40),
        fc.integer({ min: 1, max: 300 }),
        fc.boolean(),
        cuts,
        (generated, which, slack, over, crlf, chunkCuts) => {
          const lines = writeFile(generated, true, {
            crlf: false,
            finalNewline: false,
            bom: false,
          }).text.split('\n');
          const long = which % lines.length;
          const limit = Math.max(...lines.map((l) => l.length)) + 9 + slack;
          const padTo = (line: string, length: number) =>
            // A field this gradlab ignores, as the last of the object: the line stays valid.
            `${line.slice(0, -1)},"pad":"${'x'.repeat(Math.max(0, length - line.length - 9))}"}`;
          const build = (length: number) =>
            lines.map((l, i) => (i === long ? padTo(l, length) : l)).join(crlf ? '\r\n' : '\n') +
            (crlf ? '\r\n' : '\n');
          // At the limit: read as usual.
          const atLimit = build(limit);
          expect(atLimit.split(/\r?\n/)[long]!.length).toBeLessThanOrEqual(limit);
          const fine = parseRunFile(atLimit, { maxLineLength: limit });
          expect(fine.fatal).toBeNull();
          expect(fine.run!.recordCount).toBe(generated.records.length);
          // Also when a chunk ends between that line's \r and \n (the \r is not counted).
          const lineStart = lines.slice(0, long).reduce((n, l) => n + l.length + (crlf ? 2 : 1), 0);
          const afterText = lineStart + atLimit.split(/\r?\n/)[long]!.length + 1;
          const split = [atLimit.slice(0, afterText), atLimit.slice(afterText)];
          expect(parseChunks(split, { maxLineLength: limit })).toEqual(fine);
          // Over it: refused at that line, naming the limit.
          const tooLong = build(limit + over);
          const longLength = tooLong.split(/\r?\n/)[long]!.length;
          expect(longLength).toBeGreaterThan(limit);
          const result = parseRunFile(tooLong, { maxLineLength: limit });
          expectSound(result, tooLong, { maxLineLength: limit });
          expect(result.run).toBeNull();
          expect(result.fatal).toMatchObject({ line: long + 1, field: null, severity: 'error' });
          expect(result.fatal!.message).toContain(`longer than ${limit} characters`);
          // In chunks of characters: refused by the chunk that passes the limit; the rest unread.
          const parser = new RunFileParser({ maxLineLength: limit });
          let read = 0;
          for (const chunk of chunksOf(tooLong, chunkCuts)) {
            const wasFatal = parser.fatal !== null;
            const bytesBefore = parser.progress.bytes;
            parser.push(chunk);
            read += chunk.length;
            if (wasFatal) expect(parser.progress.bytes).toBe(bytesBefore);
            if (read - lineStart > limit + (crlf ? 1 : 0)) expect(parser.fatal).not.toBeNull();
          }
          expect(parser.progress.lines).toBeLessThanOrEqual(long + 1);
          expect(parser.finish()).toEqual(result);
        },
      ),
      propertyRuns(200),
    );
  });
});
