// The CLI's train command, run as a user runs it (a child process), against the engine here.
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/engine/spec.ts';
import {
  createTrainingState,
  parseTrainingOptions,
  trainSteps,
} from '../../src/backends/cpu/training.ts';
import { skipGpuRequested } from '../../scripts/gpu-env.mjs';
import { cli } from './run-cli.ts';

const SPEC_FLAGS = {
  activation: 'tanh',
  depth: '3',
  width: '16',
  inputs: '4',
  outputs: '2',
  batch: '8',
  backend: 'cpu64',
};
const flags = (values: Record<string, string>): string[] =>
  Object.entries(values).flatMap(([name, value]) => [`--${name}`, value]);

describe('gradlab train', () => {
  it('--json: the records trainSteps computes, with the options as given', async () => {
    const result = await cli(
      'train',
      ...flags(SPEC_FLAGS),
      ...flags({ optimizer: 'adam', lr: '0.01', beta2: '0.99', steps: '15' }),
      '--json',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.task).toBe('teacher');
    expect(output.optimizer).toEqual({
      name: 'adam',
      lr: 0.01,
      beta1: 0.9,
      beta2: 0.99,
      epsilon: 1e-8,
    });
    expect(output.precision).toBe('f64');
    expect(output.spec.depth).toBe(3);
    expect(output.records).toHaveLength(15);
    const { records } = trainSteps(
      createTrainingState(
        parseSpec(SPEC_FLAGS),
        parseTrainingOptions({ optimizer: 'adam', lr: '0.01', beta2: '0.99' }),
      ),
      15,
    );
    records.forEach((r, i) => {
      const printed = output.records[i];
      expect(printed.step).toBe(r.step);
      expect(printed.loss).toBe(r.loss);
      expect(printed.updateRatio).toEqual(Array.from(r.updateRatio));
      expect(printed.gradNorm).toEqual(Array.from(r.gradNorm));
      expect(printed.nonFinite).toBe(false);
    });
  });

  it('spirals: inputs 2 and outputs 1 whatever the flags; the table shows first and last layer', async () => {
    const result = await cli('train', ...flags(SPEC_FLAGS), '--task', 'spirals', '--steps', '20');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toContain('spirals: tanh, xavier init, 3 hidden layers × 16');
    expect(lines[1]).toMatch(/step\s+loss\s+ratio l=1\s+ratio l=4\s+grad l=1\s+grad l=4/);
    const { records } = trainSteps(
      createTrainingState(parseSpec(SPEC_FLAGS), parseTrainingOptions({ task: 'spirals' })),
      20,
    );
    const last = lines.at(-1)!.trim().split(/\s+/);
    expect(Number(last[0])).toBe(20);
    expect(Number(last[1])).toBeCloseTo(records[19]!.loss, 3);
  });

  it('a diverging run prints non-finite values and exits 0', async () => {
    const result = await cli(
      'train',
      ...flags({ ...SPEC_FLAGS, activation: 'relu', init: 'he', depth: '10' }),
      ...flags({ lr: '100', steps: '30' }),
      '--json',
    );
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.diverged).toBe(output.records.at(-1).step);
    expect(output.records.at(-1).nonFinite).toBe(true);
  });

  it.each([
    [['--lr', '-1'], /^gradlab: --lr: got "-1"; allowed: a number > 0/],
    [['--optimizer', 'sgd', '--beta1', '0.5'], /^gradlab: --beta1: applies to optimizer adam/],
    [['--steps', '0'], /^gradlab: --steps: got "0"; allowed: an integer from 1 to 100000/],
    [['--task', 'xor'], /^gradlab: --task: got "xor"; allowed: teacher, spirals/],
    [['--depth', '0'], /^gradlab: --depth: /],
    [['--repeat', '3'], /^gradlab: --repeat is not a flag of train/],
    // Checked before any GPU work: the same message whatever the backend.
    [['--backend', 'webgpu', '--lr', '-1'], /^gradlab: --lr: got "-1"; allowed: a number > 0/],
    [['--backend', 'webgpu', '--steps', 'x'], /^gradlab: --steps: got "x"; allowed: an integer/],
    [['--backend', 'gpu'], /^gradlab: --backend: /],
  ])('%j exits 2 with one line naming the flag', async (args, message) => {
    const result = await cli('train', ...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('--backend webgpu trains on the GPU: the records CPU f32 training computes, within f32 rounding', async (context) => {
    if (skipGpuRequested()) return context.skip('GRADLAB_SKIP_GPU is set: GPU tests skipped');
    const gpuFlags = { ...SPEC_FLAGS, depth: '1', width: '8', batch: '4', backend: 'webgpu' };
    const result = await cli(
      'train',
      ...flags(gpuFlags),
      ...flags({ optimizer: 'sgd', lr: '0.05', momentum: '0.9', steps: '4' }),
      '--json',
    );
    // Without an adapter this fails (GPU tests never pass silently; GRADLAB_SKIP_GPU skips).
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.backend).toBe('webgpu');
    expect(output.precision).toBe('f32');
    expect(output.spec.backend).toBe('webgpu');
    expect(typeof output.adapter.architecture).toBe('string');
    const { records } = trainSteps(
      createTrainingState(
        parseSpec(gpuFlags),
        parseTrainingOptions({ optimizer: 'sgd', lr: '0.05', momentum: '0.9' }),
      ),
      4,
    );
    expect(output.records).toHaveLength(4);
    // f32 on both sides, sums in a different order: see tests/gpu/training-gpu.test.ts.
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-4 * b + 1e-9);
    records.forEach((r, i) => {
      const printed = output.records[i];
      expect(printed.step).toBe(r.step);
      close(printed.loss, r.loss);
      r.gradNorm.forEach((g, l) => close(printed.gradNorm[l], g));
      r.updateRatio.forEach((u, l) => close(printed.updateRatio[l], u));
    });
  }, 120_000);

  it('--threads 2 trains as one thread does, step for step; cpu only', async () => {
    // 128·128·48 multiply-adds per hidden layer: worth splitting.
    const network = { ...SPEC_FLAGS, backend: 'cpu', width: '128', inputs: '64', batch: '48' };
    const [one, two, cpu64] = await Promise.all([
      cli('train', ...flags(network), ...flags({ steps: '5', threads: '1' }), '--json'),
      cli('train', ...flags(network), ...flags({ steps: '5', threads: '2' }), '--json'),
      cli('train', ...flags(SPEC_FLAGS), ...flags({ steps: '5', threads: '2' })),
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    const a = JSON.parse(one.stdout);
    const b = JSON.parse(two.stdout);
    expect(b.records).toHaveLength(5);
    b.records.forEach((record: { loss: number; gradNorm: number[] }, i: number) => {
      expect(record.loss).toBe(a.records[i].loss);
      record.gradNorm.forEach((norm, l) =>
        expect(Math.abs(norm - a.records[i].gradNorm[l])).toBeLessThanOrEqual(
          1e-12 * a.records[i].gradNorm[l],
        ),
      );
    });
    expect(cpu64.code).toBe(2);
    expect(cpu64.stderr).toContain('--threads applies to --backend cpu only');
  });

  it('--help documents train and its flags', async () => {
    const result = await cli('--help');
    expect(result.code).toBe(0);
    for (const text of ['cli -- train', '--optimizer', '--lr', '--momentum', '--beta1', '--steps'])
      expect(result.stdout).toContain(text);
  });
});
