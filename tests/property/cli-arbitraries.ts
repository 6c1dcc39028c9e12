/**
 * Random command lines for the CLI property (tests/property/cli.property.test.ts): commands, flags
 * of every command under their names and some that are no command's, valid values from small
 * pools (so a run that succeeds takes milliseconds) and garbage that is never a large number.
 */
import fc from 'fast-check';
import { ACTIVATION_NAMES } from '../../src/engine/activations.ts';
import { INIT_NAMES } from '../../src/engine/inits.ts';
import { SPEC_FIELDS } from '../../src/engine/spec.ts';
import { SWEEP_AXIS_FIELDS } from '../../src/engine/sweep.ts';
import { TASK_NAMES } from '../../src/engine/tasks.ts';
import { OPTIMIZER_NAMES, TRAINING_FIELDS } from '../../src/backends/cpu/training.ts';
import { COMMANDS } from '../../src/cli/cli.ts';

/** Valid values, kept small: every command that succeeds finishes in well under a second. */
const SMALL_VALUES: Record<string, readonly string[]> = {
  activation: ACTIVATION_NAMES,
  // The ends of each range too: mean-field theory at σ_w = 100 or α = 1e-300 must still answer.
  alpha: ['0', '0.2', '1', '10', '1e-300'],
  init: INIT_NAMES,
  gain: ['0.5', '1', '2', '100', '1e-300'],
  'sigma-w': ['0.5', '1', '1.5', '3', '100', '1e-300'],
  'sigma-b': ['0', '0.05', '0.5', '100', '5e-324'],
  depth: ['1', '2', '3', '5'],
  width: ['1', '3', '8', '17'],
  inputs: ['1', '2', '8'],
  outputs: ['1', '2', '3'],
  batch: ['1', '2', '5', '8'],
  'output-activation': ['linear', 'same'],
  seed: ['0', '42', '4294967295'],
  rng: ['philox', 'numpy'],
  // webgpu is left to the GPU tests: compiling shaders takes seconds on SwiftShader.
  backend: ['cpu', 'cpu64'],
  residual: ['true', 'false'],
  batchnorm: ['true', 'false'],
  repeat: ['1', '2'],
  bins: ['2', '16'],
  threads: ['1', '2'],
  steps: ['1', '2', '3'],
  task: TASK_NAMES,
  optimizer: OPTIMIZER_NAMES,
  lr: ['0.01', '0.1'],
  momentum: ['0', '0.9'],
  beta1: ['0.9'],
  beta2: ['0.999'],
  epsilon: ['1e-8'],
  sample: ['0', '1'],
  'input-mean-square': ['0', '1', '2.5', '1e300'],
  'sigma-w2-min': ['0.5', '1'],
  'sigma-w2-max': ['1', '2', '10000'],
  'sigma-w2-steps': ['1', '2'],
  'sigma-b2-min': ['0', '0.1'],
  'sigma-b2-max': ['0.1', '0.2', '10000'],
  'sigma-b2-steps': ['1', '2'],
};

/** Every flag some command takes. */
export const KNOWN_FLAGS: readonly string[] = [
  ...new Set([
    ...SPEC_FIELDS.map((field) => field.name),
    ...TRAINING_FIELDS.map((field) => field.name),
    ...SWEEP_AXIS_FIELDS.map((field) => field.name),
    'threads',
    'steps',
    'task',
    'optimizer',
    'sample',
    'input-mean-square',
    // export's own (a missing --format is named as such).
    'format',
    'dtype',
  ]),
];

/** Text that never reads as a number above 64 (a huge --width would run for minutes). */
const garbage: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('', '-1', '0', '1e3', 'NaN', 'Infinity', '--', '-', '=', 'true', '\n', ' '),
  )
  .filter((text) => !(Number(text.trim()) > 64));

const flagName: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...KNOWN_FLAGS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('json', 'help', 'colour', '__proto__', 'constructor', 'Depth', ''),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

/** One flag as argv tokens: `--name value`, `--name=value`, `--name` alone, or a stray token. */
const flagTokens: fc.Arbitrary<string[]> = flagName.chain((name) => {
  const value = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        ...(Object.hasOwn(SMALL_VALUES, name) ? SMALL_VALUES[name]! : ['1']),
      ),
    },
    { weight: 1, arbitrary: garbage },
  );
  return fc.oneof(
    { weight: 6, arbitrary: value.map((v) => [`--${name}`, v]) },
    { weight: 2, arbitrary: value.map((v) => [`--${name}=${v}`]) },
    { weight: 1, arbitrary: fc.constant<string[]>([`--${name}`]) },
    { weight: 1, arbitrary: garbage.map((token) => [token]) },
  );
});

/**
 * Flags that bound the work of the commands that are slow by default (training 200 steps, a
 * 48-point sweep of 20 × 256 networks, a 64-wide run split between new threads). A random flag
 * of the same name then makes the line invalid (given twice): quick as well.
 */
const BUDGET: Record<string, string[]> = {
  train: ['--steps', '2', '--depth', '2', '--width', '8'],
  sweep: ['--sigma-w2-steps', '1', '--sigma-b2-steps', '2', '--depth', '2', '--width', '8'],
  run: ['--width', '16'],
  jacobian: ['--width', '16'],
};

const command: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...COMMANDS) },
  { weight: 1, arbitrary: fc.constantFrom('help', '--help', '-h', 'Run', 'runs', '--json') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** A command line: a command (or none), its budget, and up to six random flags, shuffled. */
export const cliArgv: fc.Arbitrary<string[]> = fc
  .tuple(
    command,
    fc.array(flagTokens, { maxLength: 6 }),
    fc.boolean(),
    fc.boolean(),
    fc.nat({ max: 7 }),
  )
  .map(([name, flags, json, budget, at]) => {
    const rest: string[][] = [...flags];
    if (json) rest.push(['--json']);
    // Training and sweeps always get theirs; a run or a Jacobian of the default 64-wide network
    // only sometimes (it takes a few hundred milliseconds with threads).
    const slow = name === 'train' || name === 'sweep';
    if (name !== null && Object.hasOwn(BUDGET, name) && (slow || budget)) rest.push(BUDGET[name]!);
    // Budget flags somewhere among the others (not always last).
    if (rest.length > 1) rest.unshift(...rest.splice(at % rest.length, 1));
    return [...(name === null ? [] : [name]), ...rest.flat()];
  });
