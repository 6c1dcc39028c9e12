/**
 * The rules a field's text must follow (integer, number, choice, boolean) and the one error type,
 * SpecError, that names the field and what is allowed. The spec parser, the lab's lists and the
 * figures' own attributes all report problems this way. No imports, so a page that parses a few
 * attributes does not load the whole spec.
 */
/** A problem with one field of a spec. */
export class SpecError extends Error {
  constructor(
    /** The field as users write it: the URL key, attribute and CLI flag name (kebab-case). */
    readonly field: string,
    /** What is wrong and what is allowed. */
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'SpecError';
  }
}

/** A list of problems as one line for an inline message: each named, then what happens. */
export function describeProblems(problems: readonly SpecError[], source: string): string {
  return problems.map((p) => `${source} ${p.message}`).join('; ') + '; using the defaults there.';
}

export interface IntegerRule {
  readonly kind: 'integer';
  readonly min: number;
  readonly max: number;
}
export interface NumberRule {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
  readonly minExclusive?: boolean;
}
export interface ChoiceRule {
  readonly kind: 'choice';
  readonly choices: readonly string[];
}
export interface BooleanRule {
  readonly kind: 'boolean';
}
export type Rule = IntegerRule | NumberRule | ChoiceRule | BooleanRule;

/** α of leaky_relu and elu (the spec's `alpha`). */
export const ALPHA_RULE: Rule = { kind: 'number', min: 0, max: 10 };

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE_WORDS = new Set(['', 'true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

export function describeRule(rule: Rule): string {
  switch (rule.kind) {
    case 'integer':
      return `an integer from ${rule.min} to ${rule.max}`;
    case 'number':
      return `a number ${rule.minExclusive ? '>' : '≥'} ${rule.min} and ≤ ${rule.max}`;
    case 'choice':
      return `one of ${rule.choices.join(', ')}`;
    case 'boolean':
      return 'true or false';
  }
}

/** The value of one field, or the SpecError that names it and says what is allowed. */
export function readFieldValue(
  name: string,
  rule: Rule,
  raw: string | number | boolean,
): string | number | boolean | SpecError {
  const text = typeof raw === 'string' ? raw.trim() : String(raw);
  const fail = (): SpecError =>
    new SpecError(name, `got ${JSON.stringify(text)}; allowed: ${describeRule(rule)}`);
  switch (rule.kind) {
    case 'integer': {
      if (!INTEGER.test(text)) return fail();
      const value = Number(text);
      if (!Number.isSafeInteger(value) || value < rule.min || value > rule.max) return fail();
      // "-0" is 0: a signed zero would not survive a round trip through the URL.
      return value + 0;
    }
    case 'number': {
      if (!DECIMAL.test(text)) return fail();
      const value = Number(text);
      const tooLow = rule.minExclusive ? value <= rule.min : value < rule.min;
      if (!Number.isFinite(value) || tooLow || value > rule.max) return fail();
      return value + 0;
    }
    case 'choice':
      return rule.choices.includes(text) ? text : fail();
    case 'boolean': {
      const lower = text.toLowerCase();
      if (TRUE_WORDS.has(lower)) return true;
      if (FALSE_WORDS.has(lower)) return false;
      return fail();
    }
  }
}

/** A field's value from its text; throws the SpecError naming the field and what is allowed. */
export function parseFieldValue(
  name: string,
  rule: Rule,
  raw: string | number | boolean,
): string | number | boolean {
  const value = readFieldValue(name, rule, raw);
  if (value instanceof SpecError) throw value;
  return value;
}
