/** A run's progress bar: its weights, forward pass and backward pass as three equal parts. */
import { describe, expect, it } from 'vitest';
import { runFraction } from '../../src/ui/lab/run-controller.ts';

describe('runFraction', () => {
  it('moves through the weights, the forward pass and the backward pass in order', () => {
    const steps = (['prepare', 'forward', 'backward'] as const).flatMap((phase) =>
      [0, 1, 2, 3, 4].map((done) => runFraction({ phase, done, total: 4 })),
    );
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThanOrEqual(steps[i - 1]!);
    expect(steps[0]).toBe(0);
    expect(runFraction({ phase: 'prepare', done: 4, total: 4 })).toBeCloseTo(1 / 3, 12);
    expect(runFraction({ phase: 'forward', done: 2, total: 4 })).toBeCloseTo(1 / 2, 12);
    expect(runFraction({ phase: 'backward', done: 4, total: 4 })).toBe(1);
  });
});
