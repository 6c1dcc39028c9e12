/**
 * The theory section, prose plus figures: the mean-field numbers and the predicted gradient curve
 * (grad-mean-field), a small phase diagram sweep (grad-phase-diagram, grad-phase-table) and the
 * Jacobian spectra (grad-jacobian-spectrum), checked against the engine run here in Node.
 */
import { expect, test, type Locator } from '@playwright/test';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../src/engine/experiment.ts';
import { jacobianSpectrum } from '../src/engine/jacobian.ts';
import { parseSpec } from '../src/engine/spec.ts';
import { criticalLine, gridValues, pointSpec } from '../src/engine/sweep.ts';
import { meanFieldTheory, predictGradientNorms } from '../src/engine/theory.ts';
import {
  criticalSigmaB2,
  defaultSweepControls,
  formatNumber,
  jacobianPair,
  sweepOptionsFor,
} from '../src/ui/grad-theory/theory-data.ts';
import { collectConsoleErrors } from './watch.ts';

const QUERY = {
  activation: 'tanh',
  init: 'custom',
  'sigma-w': '1.5',
  'sigma-b': '0.1',
  depth: '10',
  width: '32',
  inputs: '32',
  batch: '8',
  backend: 'cpu64',
};
const SPEC = parseSpec(QUERY);

async function drawn(section: Locator, chart: string): Promise<(number | null)[][]> {
  return section
    .locator(`grad-chart[data-chart="${chart}"]`)
    .evaluate(
      (element) => (element as unknown as { drawnColumns: (number | null)[][] }).drawnColumns,
    );
}

/** Both sides are f64 (the page's cpu64 worker and Node run the same code). */
function expectClose(actual: number | null | undefined, expected: number, tolerance = 1e-12): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

async function theoryValue(section: Locator, key: string): Promise<string | null> {
  return section.locator(`[data-theory="${key}"]`).getAttribute('data-value');
}

test('shows the mean-field numbers and the predicted gradient curve over the measured run', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const errors = collectConsoleErrors(page);
  await page.goto(`/?${new URLSearchParams(QUERY)}#theory`);
  const section = page.locator('grad-theory');
  await section.locator('grad-mean-field').scrollIntoViewIfNeeded();
  await expect(section.locator('grad-mean-field')).toHaveAttribute('data-complete', '', {
    timeout: 60_000,
  });

  const params = { activation: 'tanh' as const, alpha: 0, sigmaW: 1.5, sigmaB: 0.1 };
  const theory = meanFieldTheory(params);
  // Chromium's and Node's Math.tanh/exp may differ in the last bit: agreement to 1e-12.
  expectClose(Number(await theoryValue(section, 'chi1')), theory.chi1);
  expectClose(Number(await theoryValue(section, 'q-star')), theory.qStar);
  expectClose(Number(await theoryValue(section, 'q-first')), theory.fixedPoint.qFirst);
  expectClose(Number(await theoryValue(section, 'depth-scale')), theory.depthScale, 1e-10);
  expect(await theoryValue(section, 'phase')).toBe(theory.phase);
  expect(await theoryValue(section, 'fixed-point')).toBe(theory.fixedPoint.kind);
  await expect(section.locator('[data-theory="chi1"] .value')).toHaveText(
    formatNumber(theory.chi1),
  );
  expect(theory.phase).toBe('chaotic');
  await expect(section.locator('[data-theory="phase"]')).toContainText('gradients explode');
  await expect(section.locator('[data-theory="depth-scale"]')).toContainText('layers');
  // The correlation fixed point (2-D quadrature): chaotic, so c* < 1 and a finite ξ_c.
  expect(theory.cStar).toBeLessThan(1);
  expectClose(Number(await theoryValue(section, 'c-star')), theory.cStar, 1e-10);
  expectClose(Number(await theoryValue(section, 'chi-c')), theory.chiC, 1e-10);
  expectClose(
    Number(await theoryValue(section, 'correlation-scale')),
    theory.depthScales.correlation,
    1e-9,
  );
  await expect(section.locator('[data-theory="correlation-scale"]')).toContainText(
    `c* = ${formatNumber(theory.cStar)}`,
  );

  // Measured ‖δ⁽ˡ⁾‖ as the engine computes it, and the prediction scaled to its output layer.
  const columns = await drawn(section, 'gradient-overlay');
  const measured = (await runExperiment(SPEC, createCpuBackend('f64'))).stats.gradNorm;
  const layers = SPEC.depth + 1;
  expect(columns[0]).toEqual(Array.from({ length: layers }, (_, i) => i + 1));
  const prediction = predictGradientNorms(params, SPEC.depth);
  // The predictions are scaled to the page's own measured output layer.
  const outputNorm = columns[1]![layers - 1]!;
  for (let l = 0; l < layers; l++) {
    // The worker and Node may differ in the last bit of tanh/exp: a few ulp per layer.
    expectClose(columns[1]![l], measured[l]!, 1e-10);
    expectClose(columns[2]![l], prediction.layerwise[l]! * outputNorm, 1e-10);
    expectClose(columns[3]![l], prediction.atFixedPoint[l]! * outputNorm, 1e-10);
  }

  // The Jacobian spectra of this spec, at its width 32, as the engine computes them.
  // Its figures wait to be near the viewport before they run; near it, the sections below start
  // theirs too, and the jobs share one queue.
  await section.locator('grad-jacobian-spectrum').scrollIntoViewIfNeeded();
  await expect(section.locator('grad-jacobian-spectrum')).toHaveAttribute('data-complete', '', {
    timeout: 180_000,
  });
  const pair = jacobianPair(SPEC, 32);
  const spectrum = await drawn(section, 'jacobian-spectrum');
  const gaussian = jacobianSpectrum(pair.gaussian).singularValues;
  const orthogonal = jacobianSpectrum(pair.orthogonal).singularValues;
  expect(spectrum[0]).toHaveLength(32);
  // J's entries carry rounding relative to its largest ones: compare against σ_max.
  for (let i = 0; i < 32; i++) {
    expect(Math.abs(spectrum[1]![i]! - gaussian[i]!)).toBeLessThanOrEqual(1e-10 * gaussian[0]!);
    expect(Math.abs(spectrum[2]![i]! - orthogonal[i]!)).toBeLessThanOrEqual(1e-10 * orthogonal[0]!);
  }
  expect(errors).toEqual([]);
});

test('draws a small phase diagram from runs equal to the engine’s grid points', async ({
  page,
}) => {
  const errors = collectConsoleErrors(page);
  await page.goto(`/?${new URLSearchParams(QUERY)}#theory`);
  const section = page.locator('grad-theory');
  // Nothing runs until the reader asks.
  await expect(section.locator('grad-phase-diagram [data-testid="not-run"]')).toContainText(
    'Not run yet',
    // The lab loads the section's code as the reader approaches it.
    { timeout: 60_000 },
  );
  const controls = {
    ...defaultSweepControls(SPEC),
    sigmaW2Min: 0.5,
    sigmaW2Max: 2.5,
    sigmaW2Steps: 3,
    sigmaB2Min: 0,
    sigmaB2Max: 0.3,
    sigmaB2Steps: 2,
    depth: 6,
    width: 16,
  };
  const fill = async (name: string, value: number) =>
    section.locator(`input[name="${name}"]`).fill(String(value));
  await fill('sigma-w2-min', controls.sigmaW2Min);
  await fill('sigma-w2-max', controls.sigmaW2Max);
  await fill('sigma-w2-steps', controls.sigmaW2Steps);
  await fill('sigma-b2-min', controls.sigmaB2Min);
  await fill('sigma-b2-max', controls.sigmaB2Max);
  await fill('sigma-b2-steps', controls.sigmaB2Steps);
  await fill('sweep-depth', 51);
  await section.getByRole('button', { name: 'Run sweep' }).click();
  await expect(section.locator('#sweep-error')).toContainText('sweep-depth: got 51');
  await expect(section.locator('input[name="sweep-depth"]')).toHaveAttribute(
    'aria-invalid',
    'true',
  );
  await fill('sweep-depth', controls.depth);
  await fill('sweep-width', controls.width);
  await section.getByRole('button', { name: 'Run sweep' }).click();
  await expect(section.locator('grad-phase-diagram')).toHaveAttribute('data-complete', '', {
    timeout: 60_000,
  });

  const options = sweepOptionsFor(SPEC, controls);
  const weights = gridValues(options.sigmaW2);
  const biases = gridValues(options.sigmaB2);
  const backend = createCpuBackend('f64');
  const expected: number[][] = weights.map(() => []);
  for (const sigmaB2 of biases) {
    for (const [iW, sigmaW2] of weights.entries()) {
      const spec = pointSpec(options, sigmaW2, sigmaB2, backend.info.name);
      expect(spec.backend).toBe('cpu64');
      const norms = (await runExperiment(spec, backend)).stats.gradNorm;
      expected[iW]!.push(Math.log10(norms[0]! / norms[norms.length - 1]!));
    }
  }
  const chart = section.locator('grad-chart[data-chart="phase-diagram"]');
  const heatmap = await chart.evaluate((element) => {
    const data = (
      element as unknown as {
        data: { heatmap: { diverging: boolean; columns: { values: ArrayLike<number> }[] } };
      }
    ).data;
    return {
      diverging: data.heatmap.diverging,
      columns: data.heatmap.columns.map((c) => Array.from(c.values)),
    };
  });
  expect(heatmap.diverging).toBe(true);
  expect(heatmap.columns).toHaveLength(3);
  for (let iW = 0; iW < 3; iW++)
    for (let iB = 0; iB < 2; iB++) expectClose(heatmap.columns[iW]![iB], expected[iW]![iB]!, 1e-9);
  const fromGetter = await section.evaluate(
    (element) =>
      (element as unknown as { results: { phaseValues: number[][] } }).results.phaseValues,
  );
  expect(fromGetter).toEqual(heatmap.columns);

  // The χ₁ = 1 line over the σ_w² columns: σ_b² where it crosses the range, a gap where not.
  const line = await drawn(section, 'phase-diagram');
  expect(line[0]).toEqual(weights);
  await expect(section.locator('[data-testid="critical-note"]')).toBeVisible();
  for (const [i, sigmaW2] of weights.entries()) {
    const sigmaB2 = criticalSigmaB2('tanh', 0, sigmaW2, { min: 0, max: 0.3 });
    if (sigmaB2 === null) expect(line[1]![i]).toBeNull();
    else expectClose(line[1]![i], sigmaB2);
  }
  expect(line[1]!.filter((v) => v !== null).length).toBeGreaterThan(0);

  // The tables beside the diagram show the same sweep: the section gave them the reader's grid.
  const criticalRows = section.locator('table[data-table="critical-line"] tbody tr');
  await expect(criticalRows).toHaveCount(biases.length);
  for (const [i, sigmaB2] of biases.entries()) {
    const [row] = criticalLine('tanh', 0, [sigmaB2], { min: weights[0]!, max: weights.at(-1)! });
    const cell = criticalRows.nth(i).locator('td').nth(1);
    if (row!.sigmaW2 === null) await expect(cell).toHaveText('none in range');
    else expectClose(Number(await cell.textContent()), row!.sigmaW2, 1e-5);
  }
  await section.getByText('All 6 grid points as a table').click();
  const pointRows = section.locator('table[data-table="phase-points"] tbody tr');
  await expect(pointRows).toHaveCount(6);
  for (const [iW] of weights.entries()) {
    for (const [iB] of biases.entries()) {
      const measured = pointRows
        .nth(iB * weights.length + iW)
        .locator('td')
        .nth(2);
      expectClose(Number(await measured.textContent()), expected[iW]![iB]!, 1e-5);
    }
  }
  expect(errors).toEqual([]);
});

test('a linear network with orthogonal weights is an isometry: every singular value is 1', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const errors = collectConsoleErrors(page);
  const query = { ...QUERY, activation: 'linear', 'sigma-w': '1', 'sigma-b': '0', depth: '5' };
  await page.goto(`/?${new URLSearchParams(query)}#theory`);
  const section = page.locator('grad-theory');
  // Its figures wait to be near the viewport before they run; near it, the sections below start
  // theirs too, and the jobs share one queue.
  await section.locator('grad-jacobian-spectrum').scrollIntoViewIfNeeded();
  await expect(section.locator('grad-jacobian-spectrum')).toHaveAttribute('data-complete', '', {
    timeout: 180_000,
  });
  const spectrum = await drawn(section, 'jacobian-spectrum');
  expect(spectrum[2]).toHaveLength(32);
  for (const value of spectrum[2]!) expect(Math.abs(value! - 1)).toBeLessThan(1e-12);
  // Gaussian weights of the same scale spread over more than a decade at depth 5.
  const gaussian = spectrum[1]!.map((v) => v!);
  expect(Math.log10(gaussian[0]! / gaussian[gaussian.length - 1]!)).toBeGreaterThan(1);

  // A width the dense computation refuses is reported with the engine's message.
  await section.locator('input[name="jacobian-width"]').fill('300');
  await section.locator('input[name="jacobian-width"]').dispatchEvent('change');
  await expect(section.locator('#jacobian-error')).toContainText(
    'width: got 300; the Jacobian spectrum is computed densely, for width ≤ 256 only',
  );
  expect(errors).toEqual([]);
});
