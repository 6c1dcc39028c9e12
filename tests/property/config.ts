/**
 * fast-check settings shared by every property test (Node and, later, the browser's).
 *
 * The seed is fixed, so a run in CI (and `npm test` anywhere) tries the same cases every time and
 * a failure is reproducible. GRADLAB_FC_SEED=<integer> picks another seed, GRADLAB_FC_SEED=random
 * a fresh one per run (exploration); GRADLAB_FC_RUNS=<factor> scales every property's case count
 * (e.g. 10 for a long local search). On failure fast-check's message names the seed, the path
 * and the shrunk counterexample: rerun with that seed to reproduce it.
 */
import fc from 'fast-check';

/** The seed CI uses. Any fixed integer would do; this one is the number. */
export const DEFAULT_PROPERTY_SEED = 16;

function resolveSeed(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_PROPERTY_SEED;
  if (text.trim() === 'random') return (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new Error(`GRADLAB_FC_SEED: got ${JSON.stringify(text)}; allowed: an integer or random`);
  return value;
}

function resolveFactor(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 1;
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value))
    throw new Error(`GRADLAB_FC_RUNS: got ${JSON.stringify(text)}; allowed: a positive number`);
  return value;
}

export const PROPERTY_SEED = resolveSeed(process.env.GRADLAB_FC_SEED);
const RUNS_FACTOR = resolveFactor(process.env.GRADLAB_FC_RUNS);

/**
 * Parameters for fc.assert: the shared seed, `numRuns` cases (scaled by GRADLAB_FC_RUNS) and the
 * full counterexample report on failure.
 */
export function propertyRuns<T>(numRuns: number): fc.Parameters<T> {
  return {
    seed: PROPERTY_SEED,
    numRuns: Math.max(1, Math.round(numRuns * RUNS_FACTOR)),
    verbose: fc.VerbosityLevel.Verbose,
  };
}
