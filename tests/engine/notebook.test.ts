/** The chapter's two gradient experiments against the numbers its own code prints. */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { runNotebook, type NotebookReport } from '../../src/engine/notebook.ts';
import { relativeError } from '../../src/engine/tolerance.ts';
import { loadFixture } from '../fixtures.ts';

const fixture = loadFixture<Pick<NotebookReport, 'depthSweep' | 'tenLayer'>>('notebook.json');

function expectSeries(
  actual: number[],
  expected: number[],
  tolerance: number,
  label: string,
): void {
  expect(actual, label).toHaveLength(expected.length);
  actual.forEach((value, i) => {
    if (expected[i] === 0) expect(value, `${label}[${i}]`).toBe(0);
    else
      expect(
        relativeError(value, expected[i]!),
        `${label}[${i}]: ${value} vs ${expected[i]}`,
      ).toBeLessThan(tolerance);
  });
}

describe('notebook reproduction', () => {
  it('cpu64 reproduces every number of both experiments', async () => {
    const report = await runNotebook(createCpuBackend('f64'));
    for (const activation of ['sigmoid', 'relu'] as const) {
      expectSeries(
        report.tenLayer[activation],
        fixture.tenLayer[activation],
        1e-12,
        `tenLayer.${activation}`,
      );
      for (const depth of ['3', '5', '10', '20']) {
        expectSeries(
          report.depthSweep[activation][depth]!,
          fixture.depthSweep[activation][depth]!,
          1e-11,
          `depthSweep.${activation}.${depth}`,
        );
      }
    }
  });

  it('tells the truth: the ten-layer ReLU run is exactly zero because the output unit is dead', async () => {
    const report = await runNotebook(createCpuBackend('f64'));
    expect(report.tenLayer.relu.every((v) => v === 0)).toBe(true);
    expect(report.diagnosis.tenLayer.relu).toMatch(/output unit inactive on every sample/);
    expect(report.diagnosis.tenLayer.relu).toMatch(/exactly zero/);
    expect(report.diagnosis.tenLayer.sigmoid).toMatch(/shrink by \d\.\d orders of magnitude/);
    // The depth sweep's ReLU gradients decay too: Xavier, not He.
    expect(report.diagnosis.depthSweep.relu['20']).toMatch(/Xavier init for ReLU/);
  });

  it('the f32 backend agrees with the chapter to f32 accuracy', async () => {
    const report = await runNotebook(createCpuBackend('f32'));
    expectSeries(report.tenLayer.sigmoid, fixture.tenLayer.sigmoid, 1e-4, 'tenLayer.sigmoid (f32)');
    expect(report.tenLayer.relu.every((v) => v === 0)).toBe(true);
  });
});
