/**
 * fast-check generators for run specs and their string forms, shared by the parser, URL-state
 * and CLI properties (and meant for the browser's query-string and attribute fuzzing too).
 *
 * Every generated value knows whether it is valid for its field by construction (a number drawn
 * inside or outside the field's range, then written in one of several accepted forms), so a
 * property can check the parser against that without a second parser.
 */
import fc from 'fast-check';
import { ACTIVATION_NAMES, ACTIVATIONS } from '../../src/engine/activations.ts';
import { INIT_NAMES } from '../../src/engine/inits.ts';
import {
  BACKEND_NAMES,
  OUTPUT_ACTIVATIONS,
  RNG_NAMES,
  SIZE_LIMITS,
  SPEC_FIELDS,
  specRelationErrors,
  type Rule,
  type RunSpec,
} from '../../src/engine/spec.ts';

export type SpecField = (typeof SPEC_FIELDS)[number];

/** A value for one field as text, and whether the field's own rule accepts it. */
export interface FieldText {
  readonly text: string;
  readonly valid: boolean;
}

const pad = (text: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom('', ' ', '\t'), text, fc.constantFrom('', ' ', '\n'))
    .map(([before, body, after]) => `${before}${body}${after}`);

/** Forms of an integer that the parser accepts (sign, leading zeros), all meaning `value`. */
function integerForms(value: number): fc.Arbitrary<string> {
  const forms = [String(value), `0${value}`.replace(/^0-/, '-0')];
  if (value >= 0) forms.push(`+${value}`);
  if (value === 0) forms.push('-0', '+0', '000');
  return fc.constantFrom(...forms);
}

/** Forms of a double that the parser accepts, each parsing to exactly `value`. */
function numberForms(value: number): fc.Arbitrary<string> {
  const forms = [String(value), value.toExponential()];
  if (value === 0) forms.push('-0', '0.0', '.0', '0e5', '-0.0e-3');
  if (Number.isInteger(value) && value > 0 && value < 1e15) forms.push(`${value}.`);
  return fc.constantFrom(...forms);
}

const GARBAGE = [
  '',
  'abc',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1_000',
  '1,5',
  '١٢', // Arabic-Indic digits: not ASCII digits
  'true',
  '[object Object]',
  '<img src=x onerror=alert(1)>',
  '%00',
  '\u0000',
  '1e999',
  '--5',
  '5-',
  '.',
  'e5',
];

function validText(rule: Rule): fc.Arbitrary<string> {
  switch (rule.kind) {
    case 'integer':
      return pad(fc.integer({ min: rule.min, max: rule.max }).chain(integerForms));
    case 'number':
      return pad(
        fc
          .double({
            min: rule.min,
            max: rule.max,
            noNaN: true,
            minExcluded: rule.minExclusive ?? false,
          })
          .chain(numberForms),
      );
    case 'choice':
      return pad(fc.constantFrom(...rule.choices));
    case 'boolean':
      return pad(
        fc
          .constantFrom('', 'true', '1', 'yes', 'on', 'false', '0', 'no', 'off')
          .chain((word) => fc.constantFrom(word, word.toUpperCase())),
      );
  }
}

function invalidText(rule: Rule): fc.Arbitrary<string> {
  switch (rule.kind) {
    case 'integer':
      return fc.oneof(
        fc.integer({ min: -1e12, max: rule.min - 1 }).map(String),
        fc.integer({ min: rule.max + 1, max: Number.MAX_SAFE_INTEGER }).map(String),
        fc.constant('99999999999999999999999'),
        fc
          .double({ min: rule.min, max: rule.max, noNaN: true })
          .filter((v) => !Number.isInteger(v))
          .map(String),
        fc.constantFrom('1e3', '2.5', '1.0', ...GARBAGE),
      );
    case 'number':
      return fc.oneof(
        fc
          .double({
            max: rule.min,
            maxExcluded: !rule.minExclusive,
            noNaN: true,
            noDefaultInfinity: true,
          })
          .map((v) => String(v))
          .filter(
            (text) =>
              Number(text) < rule.min || (rule.minExclusive === true && Number(text) <= rule.min),
          ),
        fc
          .double({ min: rule.max, minExcluded: true, noNaN: true, noDefaultInfinity: true })
          .map(String)
          .filter((text) => Number(text) > rule.max),
        fc.constantFrom(...GARBAGE.filter((text) => text !== 'true')),
        ...(rule.minExclusive ? [fc.constantFrom('0', '-0', '0e0', '0.000')] : []),
      );
    case 'choice':
      return fc.oneof(
        fc.string().filter((text) => !rule.choices.includes(text.trim())),
        fc.constantFrom(...rule.choices).map((choice) => choice.toUpperCase()),
        fc.constantFrom(...rule.choices).map((choice) => `${choice}x`),
      );
    case 'boolean':
      return fc
        .oneof(fc.string(), fc.constantFrom('maybe', 'truth', '2', 'y', 'n', 'null', 'T'))
        .filter(
          (text) =>
            !['', 'true', '1', 'yes', 'on', 'false', '0', 'no', 'off'].includes(
              text.trim().toLowerCase(),
            ),
        );
  }
}

/** A value for `field`: valid or not, marked. */
export function fieldText(field: SpecField): fc.Arbitrary<FieldText> {
  return fc.oneof(
    validText(field.rule).map((text) => ({ text, valid: true })),
    invalidText(field.rule).map((text) => ({ text, valid: false })),
  );
}

/** The names a field may be given under: its kebab-case name and its key. */
export function fieldNames(field: SpecField): string[] {
  return [...new Set([field.name, field.key])];
}

/** A key that is no field's name. */
export const unknownKey: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ minLength: 1 }),
    fc.constantFrom('colour', '__proto__', 'constructor', 'toString', 'Depth', 'sigma_w', ' depth'),
  )
  .filter((key) => !SPEC_FIELDS.some((field) => field.name === key || field.key === key));

/** One entry of an input map, as fuzz: any field under either name with any marked value. */
export interface FuzzEntry {
  readonly key: string;
  readonly field: SpecField | null;
  readonly value: FieldText | null;
  readonly text: string;
}

const knownEntry: fc.Arbitrary<FuzzEntry> = fc.constantFrom(...SPEC_FIELDS).chain((field) =>
  fc.tuple(fc.constantFrom(...fieldNames(field)), fieldText(field)).map(([key, value]) => ({
    key,
    field,
    value,
    text: value.text,
  })),
);

const unknownEntry: fc.Arbitrary<FuzzEntry> = fc
  .tuple(unknownKey, fc.string())
  .map(([key, text]) => ({ key, field: null, value: null, text }));

/** Input maps as the URL, attributes or flags deliver them: mostly known keys, some unknown. */
export const fuzzEntries: fc.Arbitrary<FuzzEntry[]> = fc.uniqueArray(
  fc.oneof({ weight: 6, arbitrary: knownEntry }, { weight: 1, arbitrary: unknownEntry }),
  { maxLength: 12, selector: (entry) => entry.key },
);

/** The map a fuzz entry list stands for. */
export function entriesToInput(entries: readonly FuzzEntry[]): Record<string, string> {
  const input: Record<string, string> = {};
  for (const entry of entries) {
    // defineProperty: a key "__proto__" must become an own property, as in a parsed query string.
    Object.defineProperty(input, entry.key, {
      value: entry.text,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return input;
}

const doubleIn = (min: number, max: number, minExcluded = false) =>
  fc.double({ min, max, noNaN: true, minExcluded });

/** Sizes: mostly small, sometimes at the limits (then the memory relation may refuse them). */
const size = (limits: { min: number; max: number }) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: limits.min, max: Math.min(limits.max, 300) }) },
    { weight: 1, arbitrary: fc.integer({ min: limits.min, max: limits.max }) },
  );

/** A spec that satisfies every rule and relation of the parser (checked, not assumed). */
export const validSpec: fc.Arbitrary<RunSpec> = fc
  .record({
    activation: fc.constantFrom(...ACTIVATION_NAMES),
    init: fc.constantFrom(...INIT_NAMES),
    sigmaB: fc.oneof(fc.constant(0), doubleIn(0, 100)),
    depth: size(SIZE_LIMITS.depth),
    width: size(SIZE_LIMITS.width),
    inputs: size(SIZE_LIMITS.inputs),
    outputs: size(SIZE_LIMITS.outputs),
    batch: size(SIZE_LIMITS.batch),
    outputActivation: fc.constantFrom(...OUTPUT_ACTIVATIONS),
    seed: fc.integer({ min: 0, max: 4294967295 }),
    rng: fc.constantFrom(...RNG_NAMES),
    backend: fc.constantFrom(...BACKEND_NAMES),
    residual: fc.boolean(),
    batchnorm: fc.boolean(),
    repeat: fc.integer({ min: 1, max: 1000 }),
    bins: fc.integer({ min: 2, max: 1024 }),
    alphaDraw: doubleIn(0, 10),
    gainDraw: doubleIn(0, 100, true),
    sigmaWDraw: doubleIn(0, 100, true),
  })
  .map(({ alphaDraw, gainDraw, sigmaWDraw, ...rest }) => {
    const spec: RunSpec = {
      ...rest,
      alpha: ACTIVATIONS[rest.activation].defaultAlpha === undefined ? 0 : alphaDraw,
      gain: rest.init === 'orthogonal' ? gainDraw : 1,
      sigmaW: rest.init === 'custom' ? sigmaWDraw : 1,
      batchnorm: rest.batchnorm && rest.batch >= 2,
    };
    return spec;
  })
  .filter((spec) => specRelationErrors(spec).length === 0);

/** Does `spec` satisfy every field's own rule (type, range, choices)? Independent of the parser. */
export function ruleViolations(spec: RunSpec): string[] {
  const problems: string[] = [];
  for (const field of SPEC_FIELDS) {
    const value = spec[field.key] as unknown;
    const rule = field.rule;
    const bad = (why: string) => problems.push(`${field.name} = ${String(value)}: ${why}`);
    switch (rule.kind) {
      case 'integer':
        if (typeof value !== 'number' || !Number.isInteger(value)) bad('not an integer');
        else if (value < rule.min || value > rule.max) bad(`outside ${rule.min}…${rule.max}`);
        else if (Object.is(value, -0)) bad('negative zero');
        break;
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) bad('not a finite number');
        else if (value > rule.max || value < rule.min || (rule.minExclusive && value === rule.min))
          bad(`outside ${rule.min}…${rule.max}`);
        else if (Object.is(value, -0)) bad('negative zero');
        break;
      case 'choice':
        if (typeof value !== 'string' || !rule.choices.includes(value)) bad('not a choice');
        break;
      case 'boolean':
        if (typeof value !== 'boolean') bad('not a boolean');
        break;
    }
  }
  const { defaultAlpha } = ACTIVATIONS[spec.activation];
  if (defaultAlpha === undefined && spec.alpha !== 0) problems.push('alpha without a parameter');
  if (spec.init !== 'custom' && spec.sigmaW !== 1) problems.push('sigma-w without custom init');
  if (spec.init !== 'orthogonal' && spec.gain !== 1) problems.push('gain without orthogonal init');
  if (spec.batchnorm && spec.batch < 2) problems.push('batchnorm with batch < 2');
  return problems;
}
