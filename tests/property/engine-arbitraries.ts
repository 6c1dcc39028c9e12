/**
 * Small random run specs for the engine properties: f32 against cpu64 on the CPU
 * (tests/property/engine.property.test.ts) and on WebGPU (tests/gpu/reliability.test.ts).
 */
import fc from 'fast-check';
import { ACTIVATION_NAMES, ACTIVATIONS } from '../../src/engine/activations.ts';
import { INIT_NAMES } from '../../src/engine/inits.ts';
import { parseSpec, type RunSpec, type SpecInput } from '../../src/engine/spec.ts';

/** The spec of a network of the given shape with random everything else. */
function specArbitrary(
  shape: fc.Arbitrary<{
    depth: number;
    width: number;
    inputs: number;
    outputs: number;
    batch: number;
  }>,
  activations: readonly (typeof ACTIVATION_NAMES)[number][],
): fc.Arbitrary<RunSpec> {
  return fc
    .record({
      shape,
      activation: fc.constantFrom(...activations),
      alpha: fc.double({ min: 0.001, max: 2, noNaN: true }),
      init: fc.constantFrom(...INIT_NAMES),
      gain: fc.double({ min: 0.5, max: 2, noNaN: true }),
      sigmaW: fc.double({ min: 0.3, max: 3, noNaN: true }),
      sigmaB: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 1, noNaN: true })),
      outputActivation: fc.constantFrom('linear', 'same'),
      seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      rng: fc.constantFrom('philox', 'numpy'),
      residual: fc.boolean(),
      batchnorm: fc.boolean(),
      bins: fc.integer({ min: 2, max: 64 }),
    })
    .map(({ shape, alpha, gain, sigmaW, batchnorm, ...rest }) => {
      const input: SpecInput = {
        ...shape,
        ...rest,
        ...(ACTIVATIONS[rest.activation].defaultAlpha !== undefined ? { alpha } : {}),
        ...(rest.init === 'orthogonal' ? { gain } : {}),
        ...(rest.init === 'custom' ? { 'sigma-w': sigmaW } : {}),
        batchnorm: batchnorm && shape.batch >= 2,
      };
      return parseSpec(input);
    });
}

/** Any activation, init and option, on networks up to 6 × 24 wide and batch 12. */
export const smallSpec: fc.Arbitrary<RunSpec> = specArbitrary(
  fc.record({
    depth: fc.integer({ min: 1, max: 6 }),
    width: fc.integer({ min: 1, max: 24 }),
    inputs: fc.integer({ min: 1, max: 16 }),
    outputs: fc.integer({ min: 1, max: 8 }),
    batch: fc.integer({ min: 1, max: 12 }),
  }),
  ACTIVATION_NAMES,
);

/**
 * The same on one shape (8 wide, batch 8; depth 1 to 4): on SwiftShader each new matmul shape
 * compiles for seconds, so the GPU property varies everything but the shape.
 */
export const gpuSpec = (
  activations: readonly (typeof ACTIVATION_NAMES)[number][],
): fc.Arbitrary<RunSpec> =>
  specArbitrary(
    fc.record({
      depth: fc.integer({ min: 1, max: 4 }),
      width: fc.constant(8),
      inputs: fc.constant(8),
      outputs: fc.constant(8),
      batch: fc.constant(8),
    }),
    activations,
  );
