/**
 * The samples the activation gallery draws: f and f′ of an activation on an even grid, straight
 * from the engine's activation table (pure, so it is tested without a DOM).
 */
import { ACTIVATIONS, type ActivationName } from '../../engine/activations.ts';

export interface ActivationCurves {
  readonly x: Float64Array;
  readonly values: Float64Array;
  readonly derivatives: Float64Array;
}

/** f and f′ at `points` evenly spaced x in [from, to] (the chapter plots [−5, 5]). */
export function sampleActivation(
  name: ActivationName,
  alpha: number,
  from = -5,
  to = 5,
  points = 201,
): ActivationCurves {
  const { forward, derivative } = ACTIVATIONS[name];
  const x = new Float64Array(points);
  const values = new Float64Array(points);
  const derivatives = new Float64Array(points);
  for (let i = 0; i < points; i++) {
    const t = from + ((to - from) * i) / (points - 1);
    x[i] = t;
    values[i] = forward(t, alpha);
    derivatives[i] = derivative(t, alpha);
  }
  return { x, values, derivatives };
}

/** The six activations of the chapter's 3×2 figure (§17.4), in its order. */
export const CHAPTER_GRID: readonly ActivationName[] = [
  'sigmoid',
  'tanh',
  'relu',
  'leaky_relu',
  'elu',
  'gelu',
];
