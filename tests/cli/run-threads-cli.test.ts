/** `gradlab run --threads`: the cpu backend split between worker threads, from the command line. */
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli.ts';

interface RunOutput {
  backend: { name: string; precision: string; threads: number };
  layers: { gradNorm: number | null; activationStd: number | null }[];
  loss: number | null;
}

const NETWORK = ['--backend', 'cpu', '--activation', 'tanh', '--depth', '4', '--width', '128'];
const SIZES = ['--inputs', '64', '--outputs', '16', '--batch', '48', '--json'];

describe('gradlab run --threads', () => {
  it('two threads compute what one does, and say so', async () => {
    const [one, two] = await Promise.all([
      cli('run', ...NETWORK, ...SIZES, '--threads', '1'),
      cli('run', ...NETWORK, ...SIZES, '--threads', '2'),
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    const a = JSON.parse(one.stdout) as RunOutput;
    const b = JSON.parse(two.stdout) as RunOutput;
    expect(a.backend).toMatchObject({ name: 'cpu', precision: 'f32', threads: 1 });
    expect(b.backend).toMatchObject({ name: 'cpu', precision: 'f32', threads: 2 });
    expect(b.loss).toBe(a.loss);
    b.layers.forEach((layer, i) => {
      const expected = a.layers[i]!;
      expect(Math.abs(layer.gradNorm! - expected.gradNorm!)).toBeLessThanOrEqual(
        1e-12 * expected.gradNorm!,
      );
      expect(Math.abs(layer.activationStd! - expected.activationStd!)).toBeLessThanOrEqual(
        1e-12 * expected.activationStd!,
      );
    });
  });

  it('bad thread counts and other backends are refused by name', async () => {
    const [zero, text, cpu64] = await Promise.all([
      cli('run', '--backend', 'cpu', '--threads', '0'),
      cli('run', '--backend', 'cpu', '--threads', 'many'),
      cli('run', '--backend', 'cpu64', '--threads', '2'),
    ]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--threads: got "0"; allowed: an integer from 1 to 64');
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('--threads: got "many"');
    expect(cpu64.code).toBe(2);
    expect(cpu64.stderr).toContain('--threads applies to --backend cpu only');
  });
});
