/**
 * The CPU worker's bundles carry the engine's tables without the fields only pages read
 * (scripts/worker-bundle.mjs): the lean table, imported as a module, has every other field and
 * every function as the real one, and only the page-only strings empty.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { leanTable, PAGE_ONLY_FIELDS } from '../../scripts/worker-bundle.mjs';
import { ACTIVATIONS, ACTIVATION_NAMES } from '../../src/engine/activations.ts';
import { INITS, INIT_NAMES } from '../../src/engine/inits.ts';

const written: string[] = [];
afterAll(() => written.forEach((file) => unlinkSync(file)));

/** The lean version of a table's module, imported from beside the original. */
async function leanModule(file: string): Promise<Record<string, unknown>> {
  const lean = file.replace(/\.ts$/, `.lean-${process.pid}.test-tmp.ts`);
  writeFileSync(lean, leanTable(file, readFileSync(file, 'utf8')));
  written.push(lean);
  return (await import(/* @vite-ignore */ `../../${lean}`)) as Record<string, unknown>;
}

/**
 * Every field of each entry; functions by their source, and an activation's also by its values
 * on a grid that includes the kinks.
 */
function fields(
  entry: object,
  pageOnly: readonly string[],
  evaluate = false,
): Record<string, unknown> {
  const grid = [-40, -3, -1, -0.5, -1e-8, 0, 1e-8, 0.5, 1, 3, 40];
  return Object.fromEntries(
    Object.entries(entry).map(([key, value]) => {
      if (pageOnly.includes(key)) return [key, 'page-only'];
      if (typeof value !== 'function') return [key, value];
      if (!evaluate) return [key, String(value)];
      if (key === 'forwardAndDerivative') {
        return [
          key,
          grid.map((x) => {
            const out = new Float64Array(2);
            (value as (x: number, a: number, out: Float64Array) => void)(x, 0.3, out);
            return Array.from(out);
          }),
        ];
      }
      return [key, grid.map((x) => (value as (x: number, a: number) => number)(x, 0.3))];
    }),
  );
}

/**
 * Each entry of a lean table against the real one: its page-only fields emptied (they are not
 * empty in the real table), every other field and function the same (`outForms`: also the
 * functions that write f and f′ into an array).
 */
function expectLean<Entry extends object>(
  file: string,
  names: readonly string[],
  real: Record<string, Entry>,
  lean: Record<string, Entry>,
  outForms = false,
): void {
  const pageOnly = PAGE_ONLY_FIELDS[file]!;
  for (const name of names) {
    const entry = real[name]!;
    for (const field of pageOnly) {
      expect(entry[field as keyof Entry]).not.toBe('');
      expect(lean[name]![field as keyof Entry]).toBe('');
    }
    if (outForms)
      expect(fields(lean[name]!, pageOnly, true)).toEqual(fields(entry, pageOnly, true));
    expect(fields(lean[name]!, pageOnly)).toEqual(fields(entry, pageOnly));
  }
}

describe('the worker’s lean tables', () => {
  it('the activation table: only TeX, sources and WGSL emptied', async () => {
    const file = 'src/engine/activations.ts';
    const lean = (await leanModule(file)).ACTIVATIONS as typeof ACTIVATIONS;
    expectLean(file, ACTIVATION_NAMES, ACTIVATIONS, lean, true);
  });

  it('the init table: only TeX and sources emptied', async () => {
    const file = 'src/engine/inits.ts';
    expectLean(file, INIT_NAMES, INITS, (await leanModule(file)).INITS as typeof INITS);
  });
});
