/**
 * What the verification figures say about a run and a check, as plain data and strings: the
 * backend and its adapter, the timings split into start-up and steady state, the scope of a check,
 * and the data of the error chart.
 */
import { isSoftwareAdapter } from '../../backends/webgpu/adapter.ts';
import { median } from '../../engine/experiment.ts';
import type { RunResult } from '../../engine/results.ts';
import type { CheckPlan, VerifyReport } from '../../engine/verify.ts';
import type { ChartData } from '../grad-chart/chart-data.ts';

/** "webgpu (f32)", and the adapter where there is one. */
export function describeBackend(result: RunResult): string {
  return `${result.backend.name} (${result.backend.precision})`;
}

/** The adapter's vendor, architecture and description, and whether it is software emulation. */
export function describeAdapter(result: RunResult): { text: string; software: boolean } | null {
  const adapter = result.backend.adapter;
  if (!adapter) return null;
  const parts = [adapter.vendor, adapter.architecture, adapter.description].filter(
    (part) => part.trim() !== '',
  );
  return {
    text: parts.length ? parts.join(' · ') : 'an adapter that does not describe itself',
    software: isSoftwareAdapter(adapter),
  };
}

export interface TimingRow {
  readonly label: string;
  readonly ms: number;
  readonly detail: string;
}

/**
 * The run's timings: start-up (problem, allocation, uploads and, on WebGPU, shader compilation)
 * against the first compute run and the steady state, the median of the runs after the first.
 */
export function timingRows(result: RunResult): TimingRow[] {
  const { timings } = result;
  const runs = timings.computeRunsMs;
  const rows: TimingRow[] = [
    {
      label: 'start-up',
      ms: timings.initMs,
      detail: 'building the problem, allocating, uploading, compiling',
    },
  ];
  if (timings.compileMs !== undefined)
    rows.push({
      label: 'of which shader compilation',
      ms: timings.compileMs,
      detail: 'every pipeline, once per network shape',
    });
  if (runs.length > 0)
    rows.push({
      label: 'first compute run',
      ms: runs[0]!,
      detail: 'forward + backward + statistics',
    });
  if (runs.length > 1)
    rows.push({
      label: 'steady state (median)',
      ms: median(runs.slice(1)),
      detail: `median of runs 2–${runs.length}`,
    });
  return rows;
}

/** What a check covered: the whole batch, or k of N samples (and which). */
export function describeScope(plan: CheckPlan, batch: number): string {
  if (plan.kind === 'subset') {
    const shown = plan.indices.slice(0, 12).join(', ') + (plan.indices.length > 12 ? ', …' : '');
    return (
      `Checked on ${plan.indices.length} of ${plan.batch} samples (per-sample quantities are ` +
      `exact on a subset): samples ${shown}, drawn with the spec's seed. A full cpu64 check of ` +
      `this network would take too long here; both backends ran the subset.`
    );
  }
  if (plan.kind === 'full')
    return (
      `Checked on the whole batch of ${batch} samples.` + (plan.note ? ` Note: ${plan.note}.` : '')
    );
  return `Not checked: ${plan.reason}.`;
}

/** The error chart: per layer, the largest relative error against cpu64, and the tolerance. */
export function errorChart(report: VerifyReport): ChartData {
  return {
    x: report.layers.map((layer) => layer.layer),
    series: [
      {
        label: 'max relative error',
        values: report.layers.map((layer) => layer.maxRelativeError),
      },
      {
        label: 'tolerance (relative)',
        values: report.layers.map(() => report.tolerance.rel),
        color: '#999999',
      },
    ],
  };
}
