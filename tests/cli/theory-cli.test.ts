// The CLI's theory, sweep and jacobian commands, run as a user runs them (a child process).
import { describe, expect, it } from 'vitest';
import { meanFieldTheory } from '../../src/engine/theory.ts';
import { cli } from './run-cli.ts';

describe('gradlab theory', () => {
  it('ReLU at σ_w = 2: chi1 = σ_w²/2 = 2 exactly, and no finite q*', async () => {
    const result = await cli(
      'theory',
      '--activation',
      'relu',
      '--sigma-w',
      '2',
      '--sigma-b',
      '0',
      '--json',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.chi1).toBe(2);
    expect(output.qStar).toBe('Infinity');
    expect(output.fixedPoint).toBe('divergent');
    expect(output.phase).toBe('chaotic');
    expect(output.depthScale).toBe(1 / Math.log(2));
    expect(output.depthScales.gradientTrend).toBe('exploding');
  });

  it('tanh: the same numbers as the engine; at criticality the depth scale is "Infinity"', async () => {
    const [chaotic, critical] = await Promise.all([
      cli(
        'theory',
        '--activation',
        'tanh',
        '--sigma-w',
        '1.5',
        '--sigma-b',
        '0.3',
        '--depth',
        '4',
        '--json',
      ),
      cli('theory', '--activation', 'tanh', '--sigma-w', '1', '--sigma-b', '0', '--json'),
    ]);
    const output = JSON.parse(chaotic.stdout);
    const engine = meanFieldTheory({ activation: 'tanh', sigmaW: 1.5, sigmaB: 0.3 });
    expect(output.qStar).toBe(engine.qStar);
    expect(output.chi1).toBe(engine.chi1);
    expect(output.depthScale).toBe(engine.depthScale);
    // The chaotic phase's correlation fixed point and its depth scale (engine/correlation.ts).
    expect(output.cStar).toBe(engine.cStar);
    expect(output.cStar).toBeLessThan(1);
    expect(output.chiC).toBe(engine.chiC);
    expect(output.correlationDepthScale).toBe(engine.depthScales.correlation);
    expect(output.layers).toHaveLength(5);
    expect(output.layers[4]).toMatchObject({ layer: 5, q: null, gradNormRatio: 1 });
    const atCritical = JSON.parse(critical.stdout);
    expect(atCritical).toMatchObject({ qStar: 0, fixedPoint: 'zero', chi1: 1, phase: 'critical' });
    expect(atCritical.depthScale).toBe('Infinity');
  });

  it('bad flags exit 2 with one line naming the flag and what is allowed', async () => {
    const [unknown, value, alpha] = await Promise.all([
      cli('theory', '--activation', 'relu', '--sigma-x', '1'),
      cli('theory', '--activation', 'relu', '--sigma-w', '-1'),
      cli('theory', '--activation', 'tanh', '--alpha', '0.2'),
    ]);
    for (const result of [unknown, value, alpha]) {
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(unknown.stderr).toMatch(/--sigma-x is not a flag of theory; it takes --activation/);
    expect(value.stderr).toMatch(/--sigma-w: got "-1"; allowed: a number > 0/);
    expect(alpha.stderr).toMatch(/--alpha: tanh has no parameter/);
  });
});

describe('gradlab sweep and jacobian', () => {
  it('sweep streams one JSON line per grid point, then a summary with the critical line', async () => {
    const result = await cli(
      'sweep',
      '--activation',
      'relu',
      '--depth',
      '4',
      '--width',
      '16',
      '--inputs',
      '16',
      '--batch',
      '4',
      '--sigma-w2-min',
      '1',
      '--sigma-w2-max',
      '3',
      '--sigma-w2-steps',
      '2',
      '--sigma-b2-steps',
      '1',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.type)).toEqual(['point', 'point', 'summary']);
    expect(lines[0]).toMatchObject({ index: 0, total: 2, sigmaW2: 1, sigmaB2: 0, chi1: 0.5 });
    expect(lines[1]).toMatchObject({ index: 1, sigmaW2: 3, qStar: 'Infinity', phase: 'chaotic' });
    expect(lines[1].chi1).toBeCloseTo(1.5, 14); // σ_w = √3 is rounded
    expect(lines[2]).toMatchObject({ points: 2, activation: 'relu', backend: 'cpu64' });
    expect(lines[2].criticalLine[0].sigmaW2).toBeCloseTo(2, 9);
  });

  it('sweep rejects a bad grid before running anything', async () => {
    const result = await cli('sweep', '--sigma-w2-steps', '100');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--sigma-w2-steps: got "100"; allowed: an integer from 1 to 64/);
  });

  it('jacobian: a linear orthogonal network has every singular value 1; width > 256 is refused', async () => {
    const [ok, tooWide] = await Promise.all([
      cli(
        'jacobian',
        '--activation',
        'linear',
        '--init',
        'orthogonal',
        '--depth',
        '3',
        '--width',
        '8',
        '--inputs',
        '8',
        '--outputs',
        '8',
        '--json',
      ),
      cli('jacobian', '--width', '512'),
    ]);
    const output = JSON.parse(ok.stdout);
    expect(output.singularValues).toHaveLength(8);
    for (const value of output.singularValues) expect(Math.abs(value - 1)).toBeLessThan(1e-12);
    expect(tooWide.code).toBe(2);
    expect(tooWide.stderr).toMatch(/--width: got 512; .*width ≤ 256/);
  });
});
