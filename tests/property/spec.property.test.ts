/**
 * Properties of the one spec parser (URL, element attributes and CLI flags all go through it):
 * for any map of strings it returns a valid spec or one error per bad field, naming the field and
 * what is allowed; it never throws and never accepts a value outside a field's rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkSpec,
  DEFAULT_SPEC,
  parseSpec,
  SPEC_FIELDS,
  SpecError,
  specRelationErrors,
  specToEntries,
} from '../../src/engine/spec.ts';
import { propertyRuns } from './config.ts';
import {
  entriesToInput,
  fieldNames,
  fieldText,
  fuzzEntries,
  ruleViolations,
  validSpec,
  type FuzzEntry,
} from './spec-arbitraries.ts';

/** Phrases with which every error says what is allowed (or what the relation needs). */
const SAYS_WHAT_IS_ALLOWED =
  /allowed: |applies to |needs batch ≥ 2|known fields: |largest (width|batch) that fits|reduce depth, width or batch/;

const RELATION_FIELDS = new Set(['alpha', 'batchnorm', 'sigma-w', 'gain', 'width', 'batch']);

describe('spec parser properties', () => {
  it('never throws, and returns a spec or errors, never both or neither', () => {
    fc.assert(
      fc.property(fuzzEntries, (entries) => {
        const result = checkSpec(entriesToInput(entries));
        if (result.ok) expect(result.spec).toBeDefined();
        else expect(result.errors.length).toBeGreaterThan(0);
      }),
      propertyRuns(2000),
    );
  });

  it('names a given field (or a relation field) and what is allowed in every error', () => {
    fc.assert(
      fc.property(fuzzEntries, (entries) => {
        const result = checkSpec(entriesToInput(entries));
        if (result.ok) return;
        const givenNames = new Set(
          entries.map((entry) => (entry.field ? entry.field.name : entry.key)),
        );
        for (const error of result.errors) {
          expect(error).toBeInstanceOf(SpecError);
          expect(
            givenNames.has(error.field) || RELATION_FIELDS.has(error.field),
            `error names ${error.field}, which was not given: ${error.message}`,
          ).toBe(true);
          expect(error.message.startsWith(`${error.field}: `)).toBe(true);
          expect(error.detail).toMatch(SAYS_WHAT_IS_ALLOWED);
        }
      }),
      propertyRuns(2000),
    );
  });

  it('reports every bad value and every unknown key, each by its own name', () => {
    fc.assert(
      fc.property(fuzzEntries, (entries) => {
        const result = checkSpec(entriesToInput(entries));
        const named = new Set(result.ok ? [] : result.errors.map((error) => error.field));
        const badOnes = entries.filter((entry: FuzzEntry) => entry.value?.valid !== true);
        for (const entry of badOnes) {
          const name = entry.field ? entry.field.name : entry.key;
          expect(named.has(name), `${entry.key}=${JSON.stringify(entry.text)} not reported`).toBe(
            true,
          );
        }
        if (badOnes.length > 0) expect(result.ok).toBe(false);
      }),
      propertyRuns(2000),
    );
  });

  it('never accepts a value outside a field’s rule or a broken relation', () => {
    fc.assert(
      fc.property(fuzzEntries, (entries) => {
        const result = checkSpec(entriesToInput(entries));
        if (!result.ok) return;
        expect(ruleViolations(result.spec)).toEqual([]);
        expect(specRelationErrors(result.spec)).toEqual([]);
        // Each given value is the one written (the fields were all valid here).
        for (const entry of entries) {
          const field = entry.field!;
          const value = result.spec[field.key];
          if (field.rule.kind === 'integer' || field.rule.kind === 'number')
            expect(value).toBe(Number(entry.text.trim()) + 0);
          if (field.rule.kind === 'choice') expect(value).toBe(entry.text.trim());
        }
      }),
      propertyRuns(2000),
    );
  });

  it('accepts every valid value of every field on its own, under either name', () => {
    for (const field of SPEC_FIELDS) {
      // Relations need a partner: a gain with orthogonal init, σ_w with custom, α with elu, and
      // a size on webgpu (whose limits are the device's, not the CPU memory budget).
      const sizes = ['depth', 'width', 'inputs', 'outputs', 'batch'];
      const partner =
        field.key === 'gain'
          ? { init: 'orthogonal' }
          : field.key === 'sigmaW'
            ? { init: 'custom' }
            : field.key === 'alpha'
              ? { activation: 'elu' }
              : sizes.includes(field.key)
                ? { backend: 'webgpu' }
                : {};
      fc.assert(
        fc.property(
          fc.constantFrom(...fieldNames(field)),
          fieldText(field).filter((value) => value.valid),
          (key, value) => {
            const result = checkSpec({ ...partner, [key]: value.text });
            expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual([]);
          },
        ),
        propertyRuns(150),
      );
    }
  });

  it('parseSpec throws exactly checkSpec’s first error, or returns its spec', () => {
    fc.assert(
      fc.property(fuzzEntries, (entries) => {
        const input = entriesToInput(entries);
        const result = checkSpec(input);
        let thrown: unknown = null;
        let spec = null;
        try {
          spec = parseSpec(input);
        } catch (error) {
          thrown = error;
        }
        if (result.ok) expect(spec).toEqual(result.spec);
        else {
          expect(thrown).toBeInstanceOf(SpecError);
          expect((thrown as SpecError).message).toBe(result.errors[0]!.message);
        }
      }),
      propertyRuns(1000),
    );
  });

  it('round-trips every valid spec through its entries, over any valid base', () => {
    fc.assert(
      fc.property(validSpec, fc.oneof(fc.constant(DEFAULT_SPEC), validSpec), (spec, base) => {
        const entries = specToEntries(spec, base);
        expect(parseSpec(Object.fromEntries(entries), base)).toEqual(spec);
        // Nothing that equals the base is written (α only where parsing would change it).
        for (const [name] of entries) {
          const field = SPEC_FIELDS.find((f) => f.name === name)!;
          if (name !== 'alpha') expect(spec[field.key]).not.toBe(base[field.key]);
        }
      }),
      propertyRuns(1000),
    );
  });

  it('parses an empty input as the base itself', () => {
    fc.assert(
      fc.property(validSpec, (base) => {
        expect(parseSpec({}, base)).toEqual(base);
      }),
      propertyRuns(300),
    );
  });
});
