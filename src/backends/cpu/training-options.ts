/**
 * What a training run is asked for: the optimizer and its settings, the task, and how the page,
 * the URL and the CLI give them (parseTrainingOptions, parseSteps). A module of its own, beside the
 * training engine (training.ts), so that a page's training controls do not load the engine.
 */
import { SpecError } from '../../engine/spec.ts';
import { TASK_NAMES, type TaskName } from '../../engine/tasks.ts';

export const OPTIMIZER_NAMES = ['sgd', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface TrainingOptions {
  readonly task: TaskName;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  /** SGD only: v ← μv + g, W ← W − lr·v (PyTorch's convention); 0 is plain SGD. */
  readonly momentum: number;
  /** Adam only (Kingma & Ba 2015, Algorithm 1). */
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** Learning rates that train the lab's default network in a few hundred steps. */
export const DEFAULT_LEARNING_RATE: Record<OptimizerName, number> = { sgd: 0.1, adam: 0.001 };

export const DEFAULT_TRAINING_OPTIONS: TrainingOptions = {
  task: 'teacher',
  optimizer: 'sgd',
  learningRate: DEFAULT_LEARNING_RATE.sgd,
  momentum: 0,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
};

/** Steps a run may ask for at once. */
export const MAX_TRAINING_STEPS = 100_000;

type NumberField = 'learningRate' | 'momentum' | 'beta1' | 'beta2' | 'epsilon';

interface NumberRule {
  readonly key: NumberField;
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly minExclusive: boolean;
  readonly maxExclusive: boolean;
  readonly optimizer: OptimizerName | null;
  readonly help: string;
}

/** The options' user-facing names (URL keys, CLI flags), their rules and help. */
export const TRAINING_FIELDS: readonly NumberRule[] = [
  {
    key: 'learningRate',
    name: 'lr',
    min: 0,
    max: 100,
    minExclusive: true,
    maxExclusive: false,
    optimizer: null,
    help: `learning rate (default sgd ${DEFAULT_LEARNING_RATE.sgd}, adam ${DEFAULT_LEARNING_RATE.adam})`,
  },
  {
    key: 'momentum',
    name: 'momentum',
    min: 0,
    max: 1,
    minExclusive: false,
    maxExclusive: true,
    optimizer: 'sgd',
    help: 'SGD momentum μ (default 0)',
  },
  {
    key: 'beta1',
    name: 'beta1',
    min: 0,
    max: 1,
    minExclusive: false,
    maxExclusive: true,
    optimizer: 'adam',
    help: 'Adam β₁ (default 0.9)',
  },
  {
    key: 'beta2',
    name: 'beta2',
    min: 0,
    max: 1,
    minExclusive: false,
    maxExclusive: true,
    optimizer: 'adam',
    help: 'Adam β₂ (default 0.999)',
  },
  {
    key: 'epsilon',
    name: 'epsilon',
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: false,
    optimizer: 'adam',
    help: 'Adam ε (default 1e-8)',
  },
];

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function describeRange(rule: NumberRule): string {
  return `a number ${rule.minExclusive ? '>' : '≥'} ${rule.min} and ${rule.maxExclusive ? '<' : '≤'} ${rule.max}`;
}

export type TrainingInput = Readonly<Record<string, string | number | undefined>>;

/**
 * Parses training options from key/value pairs named like TRAINING_FIELDS plus `task` and
 * `optimizer`. Throws SpecError naming the field; an option of the other optimizer is an error.
 */
export function parseTrainingOptions(input: TrainingInput): TrainingOptions {
  const known = ['task', 'optimizer', ...TRAINING_FIELDS.map((f) => f.name)];
  for (const key of Object.keys(input)) {
    if (input[key] !== undefined && !known.includes(key))
      throw new SpecError(key, `unknown training option; known: ${known.join(', ')}`);
  }
  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = input[name];
    if (raw === undefined) return fallback;
    const text = String(raw).trim();
    if (!(allowed as readonly string[]).includes(text))
      throw new SpecError(name, `got ${JSON.stringify(raw)}; allowed: ${allowed.join(', ')}`);
    return text as T;
  };
  const task = choice('task', TASK_NAMES, DEFAULT_TRAINING_OPTIONS.task);
  const optimizer = choice('optimizer', OPTIMIZER_NAMES, DEFAULT_TRAINING_OPTIONS.optimizer);
  const values: Record<NumberField, number> = {
    learningRate: DEFAULT_LEARNING_RATE[optimizer],
    momentum: DEFAULT_TRAINING_OPTIONS.momentum,
    beta1: DEFAULT_TRAINING_OPTIONS.beta1,
    beta2: DEFAULT_TRAINING_OPTIONS.beta2,
    epsilon: DEFAULT_TRAINING_OPTIONS.epsilon,
  };
  for (const rule of TRAINING_FIELDS) {
    const raw = input[rule.name];
    if (raw === undefined) continue;
    if (rule.optimizer !== null && rule.optimizer !== optimizer)
      throw new SpecError(
        rule.name,
        `applies to optimizer ${rule.optimizer} only (optimizer is ${optimizer})`,
      );
    const text = String(raw).trim();
    const value = Number(text);
    const inRange =
      DECIMAL.test(text) &&
      (rule.minExclusive ? value > rule.min : value >= rule.min) &&
      (rule.maxExclusive ? value < rule.max : value <= rule.max);
    if (!inRange)
      throw new SpecError(rule.name, `got ${JSON.stringify(raw)}; allowed: ${describeRange(rule)}`);
    values[rule.key] = value;
  }
  return { task, optimizer, ...values };
}

/** Parses a step count: an integer from 1 to MAX_TRAINING_STEPS. */
export function parseSteps(raw: string | number, field = 'steps'): number {
  const text = String(raw).trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_TRAINING_STEPS)
    throw new SpecError(
      field,
      `got ${JSON.stringify(raw)}; allowed: an integer from 1 to ${MAX_TRAINING_STEPS}`,
    );
  return value;
}
