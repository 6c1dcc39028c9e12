/**
 * A figure's own attributes, beside the run spec's: `x-axis`, `kind`, `stat`, `show`… Each is a
 * rule with its allowed values and default, so an element and its docs say the same thing, and a
 * bad value is reported naming the attribute and what is allowed, and falls back to the default.
 */
import { SpecError } from '../../engine/spec-rules.ts';
import { ASPECT_LIMITS, DEFAULT_ASPECT, parseAspect } from './aspect.ts';

export interface OptionRule<T> {
  readonly attribute: string;
  readonly fallback: T;
  /** What is allowed, in words, for messages and docs. */
  readonly allowed: string;
  /** The value, or undefined when the text is not allowed. */
  parse(raw: string): T | undefined;
  /** The attribute text of a value (for embed snippets). */
  format(value: T): string;
}

export function choiceOption<T extends string>(
  attribute: string,
  choices: readonly T[],
  fallback: T,
): OptionRule<T> {
  return {
    attribute,
    fallback,
    allowed: `one of ${choices.join(', ')}`,
    parse: (raw) =>
      (choices as readonly string[]).includes(raw.trim()) ? (raw.trim() as T) : undefined,
    format: (value) => value,
  };
}

/** A decimal number (an exponent allowed) from `min` to `max`. */
export function numberOption(
  attribute: string,
  min: number,
  max: number,
  fallback: number,
): OptionRule<number> {
  return rangedOption(
    attribute,
    'a number',
    /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i,
    min,
    max,
    fallback,
  );
}

/** An integer from `min` to `max`. */
export function integerOption(
  attribute: string,
  min: number,
  max: number,
  fallback: number,
): OptionRule<number> {
  return rangedOption(attribute, 'an integer', /^\d+$/, min, max, fallback);
}

/** A number written as `pattern` allows, from `min` to `max`. */
function rangedOption(
  attribute: string,
  kind: string,
  pattern: RegExp,
  min: number,
  max: number,
  fallback: number,
): OptionRule<number> {
  return {
    attribute,
    fallback,
    allowed: `${kind} from ${min} to ${max}`,
    parse: (raw) => {
      const text = raw.trim();
      if (!pattern.test(text)) return undefined;
      const value = Number(text);
      return value >= min && value <= max ? value : undefined;
    },
    format: (value) => String(value),
  };
}

/** A comma-separated list of distinct choices, at least one. */
export function choiceListOption<T extends string>(
  attribute: string,
  choices: readonly T[],
  fallback: readonly T[],
): OptionRule<readonly T[]> {
  return {
    attribute,
    fallback,
    allowed: `a comma-separated list of ${choices.join(', ')}`,
    parse: (raw) => {
      const items = raw
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
      if (items.length === 0) return undefined;
      if (!items.every((item) => (choices as readonly string[]).includes(item))) return undefined;
      return [...new Set(items)] as T[];
    },
    format: (value) => value.join(','),
  };
}

/** Reads one option from an attribute's text: its value, and a problem when the text is bad. */
export function readOption<T>(
  rule: OptionRule<T>,
  raw: string | null,
): { value: T; problem?: SpecError } {
  if (raw === null) return { value: rule.fallback };
  const value = rule.parse(raw);
  if (value !== undefined) return { value };
  return {
    value: rule.fallback,
    problem: new SpecError(rule.attribute, `got ${JSON.stringify(raw)}; allowed: ${rule.allowed}`),
  };
}

/** The figure's height: width ÷ aspect. Written as 16:10, 16/10 or 1.6. */
export const ASPECT: OptionRule<number> = {
  attribute: 'aspect',
  fallback: DEFAULT_ASPECT,
  allowed: `a width:height ratio such as 16:10 or 4:3, or a number, from ${ASPECT_LIMITS.min} to ${ASPECT_LIMITS.max}`,
  parse: parseAspect,
  format: (value) => String(value),
};
