/**
 * The CPU-vs-GPU timings section: a tiny workload on webgpu (SwiftShader here: labelled software
 * emulation), cpu and cpu64, with finite times, per-kernel rows and errors against cpu64 that
 * agree with the engine run here in Node; the CPU fallback when WebGPU is missing; and a tiny size
 * sweep drawn as time against work on log-log axes. No assertion is about speed.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator } from '@playwright/test';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../src/engine/experiment.ts';
import { layerSizes } from '../src/engine/problem.ts';
import { parseSpec } from '../src/engine/spec.ts';
import { TOLERANCES } from '../src/engine/tolerance.ts';
import { compareRuns } from '../src/engine/verify.ts';
import { runFlops } from '../src/engine/work.ts';
import { collectConsoleErrors } from './watch.ts';
import { withoutWebGpu } from './no-webgpu.ts';

const SIZES = { depth: 3, width: 16, inputs: 16, outputs: 2, batch: 8 };
// Small sweeps keep the other sections' runs, which share the page's queue, short.
const QUERY = '/?depth=3&width=16&inputs=16&outputs=2&batch=8&depths=2,3&activations=relu&inits=he';
const SPEC = parseSpec({ ...SIZES, repeat: 5 });

/** The summary row of one backend, as data attributes. */
async function summaryRow(section: Locator, backend: string) {
  const row = section.locator(`table[part="summary"] tr[data-backend="${backend}"]`);
  return {
    row,
    kind: await row.getAttribute('data-kind'),
    steadyMs: Number(await row.getAttribute('data-steady-ms')),
    firstMs: Number(await row.getAttribute('data-first-ms')),
    error: await row.getAttribute('data-error'),
  };
}

/** Milliseconds of each kernel row for one backend (NaN where the cell is a note). */
function kernelMs(section: Locator, backend: string): Promise<Record<string, number>> {
  return section
    .locator('table[part="kernels"] tbody tr[data-kernel]')
    .evaluateAll((rows, name) => {
      const out: Record<string, number> = {};
      for (const row of rows) {
        const cell = row.querySelector(`td[data-backend="${name}"]`);
        out[row.getAttribute('data-kernel')!] = Number(cell?.getAttribute('data-ms') ?? NaN);
      }
      return out;
    }, backend);
}

type ChartElement = HTMLElement & {
  drawnColumns: (number | null)[][];
  data: { series: { label: string }[] };
};

async function runSweep(section: Locator, uncheck: string[]): Promise<void> {
  await section.getByLabel('widths', { exact: true }).fill('8, 16');
  await section.getByLabel('at depth', { exact: true }).fill('2');
  await section.getByLabel('depths', { exact: true }).fill('2, 3');
  await section.getByLabel('at width', { exact: true }).fill('8');
  for (const backend of uncheck) await section.getByLabel(backend, { exact: true }).uncheck();
  await section.getByRole('button', { name: 'Run size sweep' }).click();
}

/** The sweep's points (width × depth) as GFLOP per pass, ascending. */
const SWEEP_GFLOP = [
  { width: 8, depth: 2 },
  { width: 16, depth: 2 },
  { width: 8, depth: 3 },
]
  .map((point) => runFlops({ ...SPEC, ...point }) / 1e9)
  .sort((a, b) => a - b);

test('webgpu (software emulation), cpu and cpu64: timings, kernels, errors, sweep', async ({
  page,
}) => {
  test.setTimeout(400_000);
  const errors = collectConsoleErrors(page);
  await page.goto(`${QUERY}#benchmark`);
  const section = page.locator('grad-benchmark');
  // Nothing runs by itself.
  await expect(section.locator('table[part="summary"]')).toHaveCount(0);
  await expect(section.getByLabel('width', { exact: true })).toHaveValue('16');
  await section.getByRole('button', { name: 'Run benchmark' }).click();
  await expect(section.locator('table[part="summary"] tr[data-backend="cpu64"]')).toHaveCount(1, {
    timeout: 300_000,
  });

  const gpu = await summaryRow(section, 'webgpu');
  const cpu = await summaryRow(section, 'cpu');
  const cpu64 = await summaryRow(section, 'cpu64');
  expect(gpu.kind).toBe('software');
  await expect(gpu.row).toContainText('software emulation: not GPU speed');
  await expect(section.getByTestId('adapter')).toContainText('swiftshader');
  await expect(section.getByTestId('software-emulation')).toHaveText(
    'software emulation: not GPU speed',
  );
  expect(cpu.kind).toBe('cpu');
  expect(cpu64.kind).toBe('cpu');
  for (const row of [gpu, cpu, cpu64]) {
    expect(Number.isFinite(row.steadyMs) && row.steadyMs >= 0).toBe(true);
    expect(Number.isFinite(row.firstMs) && row.firstMs >= 0).toBe(true);
  }
  await expect(cpu64.row).toContainText('the reference');
  // The lab is cross-origin isolated, so the cpu backend splits passes between Web Workers: as
  // many threads as the browser reports cores (at most 8), and a 1 … N scaling table.
  const { isolated, cores } = await page.evaluate(() => ({
    isolated: globalThis.crossOriginIsolated,
    cores: navigator.hardwareConcurrency,
  }));
  expect(isolated).toBe(true);
  const threads = Math.min(cores, 8);
  await expect(section.getByTestId('threads')).toContainText(
    `cpu ran on ${threads} thread${threads === 1 ? '' : 's'}`,
  );
  if (threads > 1) {
    const scaling = section.getByTestId('thread-scaling');
    await expect(scaling.locator('tbody tr')).toHaveCount(threads, { timeout: 120_000 });
    const rows = await scaling
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-threads'))));
    expect(rows).toEqual(Array.from({ length: threads }, (_, i) => i + 1));
    await expect(scaling.locator('tbody tr').first()).toContainText('1.00×');
  }
  // The roof: one core's WebAssembly SIMD peak, measured in the CPU worker in this browser; the
  // cpu row's GFLOP/s as a share of it times its threads, and its products kernel by kernel.
  await expect(section.getByTestId('simd-peak')).toContainText(/\d+\.\d GFLOP\/s per thread/, {
    timeout: 60_000,
  });
  const percent = await cpu.row.locator('td').nth(4).textContent();
  expect(Number.parseFloat(percent ?? '')).toBeGreaterThan(0);
  // The whole run's products against the roof (a product this small can take under the clock's
  // resolution, and then has no GFLOP/s to compare).
  await expect(
    section.locator('table[part="kernels"] tr[data-kernel="total"] td[data-backend="cpu"] + td'),
  ).toContainText(/of peak/);
  // The errors against cpu64 are within the f32 tolerance, and cpu's is the engine's.
  const { rel } = TOLERANCES.f32Statistics;
  expect(Number(gpu.error)).toBeLessThanOrEqual(rel);
  const nodeCpu = await runExperiment({ ...SPEC, backend: 'cpu' }, createCpuBackend('f32'));
  const nodeCpu64 = await runExperiment({ ...SPEC, backend: 'cpu64' }, createCpuBackend('f64'));
  const expected = compareRuns(nodeCpu.stats, nodeCpu64.stats, layerSizes(SPEC), 8, 'f32');
  // The same comparison. Chromium's worker multiplies with the relaxed-SIMD kernels (fused
  // multiply-adds) where Node 20 uses plain SIMD, so the f32 roundings, and with them the largest
  // error, differ a little: within 10% of each other, both far inside the f32 tolerance.
  expect(Number(cpu.error)).toBeLessThanOrEqual(rel);
  expect(Math.abs(Number(cpu.error) - expected.maxRelativeError)).toBeLessThanOrEqual(
    0.1 * expected.maxRelativeError,
  );
  await expect(gpu.row).toContainText('within the f32 tolerance');

  // Every kernel of the CPU backends has a time; they add up to at most the run.
  for (const backend of ['cpu', 'cpu64']) {
    const kernels = await kernelMs(section, backend);
    expect(Object.keys(kernels)).toEqual([
      'forward',
      'activation',
      'backward',
      'weightGradient',
      'reductions',
      'total',
    ]);
    for (const ms of Object.values(kernels)) expect(ms).toBeGreaterThanOrEqual(0);
  }
  // webgpu: GPU timestamps per kernel where the adapter has them, else the reason.
  const gpuKernels = await kernelMs(section, 'webgpu');
  const unavailable = section.getByTestId('kernels-unavailable');
  if ((await unavailable.count()) > 0) {
    await expect(unavailable).toContainText('timestamp-query');
  } else {
    expect(gpuKernels.forward).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(gpuKernels.activation)).toBe(true);
    await expect(
      section.locator(
        'table[part="kernels"] tr[data-kernel="activation"] td[data-backend="webgpu"]',
      ),
    ).toContainText('fused into the forward and backward matmuls');
  }
  // The bars: kernels 1–5 and the whole run at 6, one series per backend.
  const bars = section.locator('grad-chart[data-chart="kernels"]');
  const columns = await bars.evaluate((chart) => (chart as ChartElement).drawnColumns);
  expect(columns[0]).toEqual([1, 2, 3, 4, 5, 6]);
  expect(columns).toHaveLength(4);
  const cpuKernels = await kernelMs(section, 'cpu');
  expect(columns[2]![5]).toBeCloseTo(cpuKernels.total!, 9);

  // A tiny sweep, without webgpu (each new shape compiles for seconds on SwiftShader).
  await runSweep(section, ['webgpu']);
  const sweep = section.locator('grad-chart[data-chart="sweep"]');
  await expect
    .poll(() => sweep.evaluate((chart) => (chart as ChartElement).drawnColumns[0]?.length ?? 0), {
      timeout: 120_000,
    })
    .toBe(3);
  await expect(section.getByRole('button', { name: 'Run size sweep' })).toBeEnabled({
    timeout: 60_000,
  });
  const drawn = await sweep.evaluate((chart) => (chart as ChartElement).drawnColumns);
  drawn[0]!.forEach((x, i) => expect(x).toBeCloseTo(SWEEP_GFLOP[i]!, 15));
  expect(drawn).toHaveLength(3);
  for (const series of drawn.slice(1))
    for (const ms of series) expect(ms === null || ms > 0).toBe(true);
  const labels = await sweep.evaluate((chart) =>
    (chart as ChartElement).data.series.map((s) => s.label),
  );
  expect(labels).toEqual(['cpu (f32)', 'cpu64 (f64)']);
  expect(await sweep.getAttribute('log-x')).not.toBeNull();
  expect(await sweep.getAttribute('log-y')).not.toBeNull();
  expect(errors).toEqual([]);
});

test('without WebGPU the webgpu row says fallback: cpu; bad sizes name their field', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const errors = collectConsoleErrors(page);
  await withoutWebGpu(page);
  // Phone width: the section must fit (its tables scroll inside their own wrappers).
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(`${QUERY}#benchmark`);
  const section = page.locator('grad-benchmark');
  await section.getByLabel('timed runs').fill('2');
  await section.getByRole('button', { name: 'Run benchmark' }).click();
  await expect(section.getByRole('alert')).toContainText('repeat: got "2"; allowed: an integer');
  await section.getByLabel('timed runs').fill('3');
  await section.getByRole('button', { name: 'Run benchmark' }).click();
  await expect(section.locator('table[part="summary"] tr[data-backend="cpu64"]')).toHaveCount(1, {
    timeout: 120_000,
  });
  const gpu = await summaryRow(section, 'webgpu');
  expect(gpu.kind).toBe('fallback');
  await expect(gpu.row).toContainText('webgpu → fallback: cpu (f32)');
  await expect(gpu.row).not.toContainText('GPU)');
  await expect(section.getByTestId('benchmark-fallback')).toContainText('no navigator.gpu');
  await expect(section.getByTestId('adapter')).toContainText('WebGPU was unavailable');
  expect(Number(gpu.error)).toBeLessThanOrEqual(TOLERANCES.f32Statistics.rel);

  await runSweep(section, []);
  const sweep = section.locator('grad-chart[data-chart="sweep"]');
  await expect
    .poll(() => sweep.evaluate((chart) => (chart as ChartElement).drawnColumns[0]?.length ?? 0), {
      timeout: 120_000,
    })
    .toBe(3);
  await expect(section.getByRole('button', { name: 'Run size sweep' })).toBeEnabled({
    timeout: 60_000,
  });
  const labels = await sweep.evaluate((chart) =>
    (chart as ChartElement).data.series.map((s) => s.label),
  );
  expect(labels).toEqual(['webgpu → fallback: cpu (f32)', 'cpu (f32)', 'cpu64 (f64)']);
  const width = await section.evaluate((element) => element.getBoundingClientRect().width);
  expect(width).toBeLessThanOrEqual(375);
  const axe = await new AxeBuilder({ page }).include('grad-benchmark').analyze();
  expect(axe.violations.map((violation) => violation.id)).toEqual([]);
  expect(errors).toEqual([]);
});
