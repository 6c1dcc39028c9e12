import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../../src/engine/activations.ts';
import { CHAPTER_GRID, sampleActivation } from '../../src/ui/grad-activations/activation-curves.ts';

describe('activation gallery samples', () => {
  it('samples f and f′ from the activation table on the chapter’s [−5, 5]', () => {
    const curves = sampleActivation('leaky_relu', 0.1);
    expect(curves.x[0]).toBe(-5);
    expect(curves.x[200]).toBe(5);
    expect(curves.x[100]).toBe(0);
    expect(curves.values[0]).toBeCloseTo(-0.5, 15);
    expect(curves.derivatives[0]).toBe(0.1);
    expect(curves.derivatives[100]).toBe(0.1); // leaky_relu′(0) = α, as in the chapter
    expect(curves.values[200]).toBe(5);
  });

  it('shows the chapter’s six activations, in its order', () => {
    expect(CHAPTER_GRID).toEqual(['sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'gelu']);
    for (const name of CHAPTER_GRID) expect(ACTIVATIONS[name]).toBeDefined();
  });
});
