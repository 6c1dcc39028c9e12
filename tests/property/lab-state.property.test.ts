/**
 * The URL state's pure round trip: parse(serialize(s)) is s for every valid lab state, over the
 * defaults or any other valid base, and reports no problem. (The browser half — a page opened at
 * a random query string — is a Playwright property that reuses these generators.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES } from '../../src/engine/activations.ts';
import { INIT_NAMES } from '../../src/engine/inits.ts';
import { SIZE_LIMITS } from '../../src/engine/spec.ts';
import {
  DEFAULT_LAB_STATE,
  labStateToEntries,
  parseLabState,
  type LabState,
} from '../../src/ui/lab/lab-state.ts';
import { propertyRuns } from './config.ts';
import { entriesToInput, fuzzEntries, validSpec } from './spec-arbitraries.ts';

export const validLabState: fc.Arbitrary<LabState> = fc.record({
  spec: validSpec,
  depths: fc.uniqueArray(fc.integer(SIZE_LIMITS.depth), { minLength: 1, maxLength: 8 }),
  activations: fc.shuffledSubarray([...ACTIVATION_NAMES], { minLength: 1 }),
  inits: fc.shuffledSubarray([...INIT_NAMES], { minLength: 1 }),
});

describe('URL state properties', () => {
  it('parse(serialize(state)) is the state, with no problem, over any valid base', () => {
    fc.assert(
      fc.property(
        validLabState,
        fc.oneof(fc.constant(DEFAULT_LAB_STATE), validLabState),
        (state, base) => {
          const query = new URLSearchParams(labStateToEntries(state, base)).toString();
          const parsed = parseLabState(Object.fromEntries(new URLSearchParams(query)), base);
          expect(parsed.problems.map((p) => p.message)).toEqual([]);
          expect(parsed.state).toEqual(state);
        },
      ),
      propertyRuns(1000),
    );
  });

  it('never throws on any query, keeps every field valid, and reports each bad one', () => {
    fc.assert(
      fc.property(fuzzEntries, (entries) => {
        const { state, problems } = parseLabState(entriesToInput(entries));
        const named = new Set(problems.map((p) => p.field));
        for (const entry of entries)
          if (entry.value?.valid !== true)
            expect(named.has(entry.field ? entry.field.name : entry.key)).toBe(true);
        // What it kept parses again without a problem: it never holds a bad value.
        const again = parseLabState(Object.fromEntries(labStateToEntries(state)));
        expect(again.problems.map((p) => p.message)).toEqual([]);
        expect(again.state).toEqual(state);
      }),
      propertyRuns(1000),
    );
  });
});
