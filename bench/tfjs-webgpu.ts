/**
 * TensorFlow.js's webgpu backend as a peer for `npm run bench`, in Node through Dawn's bindings
 * (the `webgpu` package, as bench/gpu.ts and the CLI use it).
 *
 * What TF.js needs from the environment (read in @tensorflow/tfjs-backend-webgpu 4.22):
 * - `navigator.gpu` when the package is loaded: it registers its 'webgpu' backend only if
 *   `globalThis.navigator.gpu` exists then (base.ts, isWebGPUSupported), and its factory calls
 *   `navigator.gpu.requestAdapter` when the backend is first used. Node 20 has no `navigator`.
 * - the `GPUBufferUsage`, `GPUMapMode`, `GPUTextureUsage` and `GPUShaderStage` globals, which
 *   nodeGpu() installs from the package's `globals`.
 * Everything else (the adapter's `info`, device limits) Dawn provides as a browser would.
 */
import { createRequire } from 'node:module';
import type * as TfCore from '@tensorflow/tfjs-core';
import { describeAdapter, isSoftwareAdapter } from '../src/backends/webgpu/adapter.ts';
import { nodeGpu } from '../src/cli/node-webgpu.ts';
import { problemFromSpec } from '../src/engine/problem.ts';
import type { AdapterInfo } from '../src/engine/results.ts';
import type { RunSpec } from '../src/engine/spec.ts';
import type { GpuBenchReport } from './gpu.ts';
import {
  peerProblemFrom,
  runTfjsPeer,
  setupTfjs,
  type PeerProblem,
  type PeerResult,
} from './tfjs-peer.ts';

const require = createRequire(import.meta.url);

/** TF.js on WebGPU, ready to run; or why not. */
export type TfjsWebGpuSetup =
  | {
      readonly available: true;
      readonly tf: typeof TfCore;
      /** The device TF.js created (for error scopes in tests). */
      readonly device: GPUDevice;
      readonly adapter: AdapterInfo;
      /** SwiftShader or another fallback adapter: timings are CPU emulation, not GPU speed. */
      readonly software: boolean;
      /** E.g. 'tfjs-webgpu (google swiftshader; software emulation, not GPU speed)'. */
      readonly label: string;
    }
  | { readonly available: false; readonly reason: string };

let setup: Promise<TfjsWebGpuSetup> | null = null;

/**
 * Puts `gpu` at navigator.gpu unless a navigator.gpu is there already (a browser, or an earlier
 * call). Node 20 has no navigator; Node 21+ has one without `gpu`.
 */
export function installNavigatorGpu(gpu: GPU): void {
  const scope = globalThis as { navigator?: { gpu?: GPU } };
  if (scope.navigator?.gpu) return;
  if (scope.navigator) {
    Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu },
      configurable: true,
      writable: true,
    });
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function load(): Promise<TfjsWebGpuSetup> {
  let gpu: GPU;
  try {
    gpu = await nodeGpu();
  } catch (error) {
    return { available: false, reason: `Dawn's WebGPU bindings did not load: ${message(error)}` };
  }
  // The adapter TF.js's factory will get too (it asks for 'high-performance' as well).
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { available: false, reason: 'WebGPU found no adapter' };
  installNavigatorGpu(gpu);
  require('@tensorflow/tfjs-backend-webgpu'); // registers 'webgpu', now that navigator.gpu exists
  let tf: typeof TfCore;
  try {
    ({ tf } = await setupTfjs('webgpu'));
  } catch (error) {
    return { available: false, reason: message(error) };
  }
  // TF.js hands an op to its CPU kernels while all inputs are still on the CPU and smaller than
  // 1000 elements. Off: every op of the peer runs on the GPU, as gradlab's webgpu backend does
  // (on the benchmark's sizes this changes nothing; on a test's tiny network it would be all CPU).
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  const info = describeAdapter(adapter);
  const software = isSoftwareAdapter(info);
  const name = [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  return {
    available: true,
    tf,
    device: (tf.backend() as unknown as { device: GPUDevice }).device,
    adapter: info,
    software,
    label: `tfjs-webgpu (${name}${software ? '; software emulation, not GPU speed' : ''})`,
  };
}

/**
 * Loads TF.js's webgpu backend on Dawn's adapter and switches TF.js to it; once per process. The
 * other TF.js backends stay registered: runTfjsPeer switches between them.
 */
export function setupTfjsWebGpu(): Promise<TfjsWebGpuSetup> {
  setup ??= load();
  return setup;
}

/**
 * runTfjsPeer on TF.js's webgpu backend, its `backend` naming the adapter. Throws with the
 * reason when there is no WebGPU here.
 */
export async function runTfjsWebGpuPeer(problem: PeerProblem, repeat: number): Promise<PeerResult> {
  const ready = await setupTfjsWebGpu();
  if (!ready.available) throw new Error(`TF.js webgpu unavailable: ${ready.reason}`);
  const result = await runTfjsPeer('webgpu', problem, repeat);
  return { ...result, backend: ready.label };
}

/** TF.js webgpu and gradlab webgpu on the same workload: the GPU section's. */
export interface WebGpuPeerComparison {
  readonly workload: RunSpec;
  readonly gradlabMs: number;
  readonly tfjsMs: number;
  readonly tfjsRunsMs: readonly number[];
  /** tfjsMs / gradlabMs: how many times faster gradlab's webgpu backend is. */
  readonly gradlabFaster: number;
}

/** The TF.js webgpu part of `npm run bench`. */
export interface TfjsWebGpuBench {
  /** The peer on the main table's workload; null when it did not run. */
  readonly peer: PeerResult | null;
  /** Why the peer did not run, e.g. 'skipped (--no-gpu)' or 'unavailable (…)'. */
  readonly status: string | null;
  readonly adapter: AdapterInfo | null;
  readonly software: boolean;
  /** Next to gradlab's WebGPU whole pass, when the GPU section ran and the peer could run. */
  readonly comparison: WebGpuPeerComparison | null;
  /** Why there is no comparison. */
  readonly comparisonStatus: string | null;
}

/** Same network and data: every field but the backend, the repeat count and the histogram bins. */
function sameWorkload(a: RunSpec, b: RunSpec): boolean {
  const problemOf = ({ backend: _b, repeat: _r, bins: _h, ...rest }: RunSpec) => rest;
  return JSON.stringify(problemOf(a)) === JSON.stringify(problemOf(b));
}

/**
 * Runs TF.js webgpu on the main workload (`problem`) and, when the GPU section ran, on the GPU
 * section's workload too, so that its time stands next to gradlab's webgpu whole pass
 * (bench/gpu.ts shrinks that workload on software adapters, so it can differ from the main one).
 */
export async function runTfjsWebGpuBench(options: {
  /** False with --no-gpu. */
  enabled: boolean;
  problem: PeerProblem;
  spec: RunSpec;
  repeat: number;
  gpu: GpuBenchReport | { error: string } | null;
  log: (line: string) => void;
}): Promise<TfjsWebGpuBench> {
  const none = (status: string): TfjsWebGpuBench => ({
    peer: null,
    status,
    adapter: null,
    software: false,
    comparison: null,
    comparisonStatus: status,
  });
  if (!options.enabled) return none('skipped (--no-gpu)');
  const ready = await setupTfjsWebGpu();
  if (!ready.available) return none(`unavailable (${ready.reason})`);
  options.log(`running TensorFlow.js webgpu (${ready.label})…`);
  let peer: PeerResult;
  try {
    peer = await runTfjsWebGpuPeer(options.problem, options.repeat);
  } catch (error) {
    return {
      ...none(`failed (${message(error)})`),
      adapter: ready.adapter,
      software: ready.software,
    };
  }
  const base = { peer, status: null, adapter: ready.adapter, software: ready.software };
  const report = options.gpu;
  if (report === null) return { ...base, comparison: null, comparisonStatus: 'no GPU section' };
  if ('error' in report) {
    return { ...base, comparison: null, comparisonStatus: `GPU section failed: ${report.error}` };
  }
  let tfjsRunsMs: readonly number[] = peer.runsMs;
  let tfjsMs = peer.medianMs;
  if (!sameWorkload(report.workload, options.spec)) {
    options.log("running TensorFlow.js webgpu on the GPU section's workload…");
    const gpuProblem = peerProblemFrom(problemFromSpec(report.workload).problem());
    try {
      const onGpuWorkload = await runTfjsWebGpuPeer(gpuProblem, report.run.computeRunsMs.length);
      tfjsRunsMs = onGpuWorkload.runsMs;
      tfjsMs = onGpuWorkload.medianMs;
    } catch (error) {
      return { ...base, comparison: null, comparisonStatus: `failed (${message(error)})` };
    }
  }
  return {
    ...base,
    comparison: {
      workload: report.workload,
      gradlabMs: report.run.computeMs,
      tfjsMs,
      tfjsRunsMs,
      gradlabFaster: tfjsMs / report.run.computeMs,
    },
    comparisonStatus: null,
  };
}

/**
 * Markdown lines that go right after the main table's rows: a row saying why TF.js webgpu did
 * not run (when it did, its row is in the table), then a paragraph with the WebGPU comparison.
 */
export function tfjsWebGpuMarkdown(bench: Omit<TfjsWebGpuBench, 'peer'>): string[] {
  const lines: string[] = [];
  if (bench.status !== null) {
    lines.push(`| TensorFlow.js tfjs-webgpu | ${bench.status.replaceAll('|', '\\|')} | — | — |`);
  }
  lines.push('');
  const c = bench.comparison;
  if (c) {
    lines.push(
      `WebGPU, gradlab against TensorFlow.js on the GPU section's workload (${c.workload.depth} hidden layers × ${c.workload.width} wide × batch ${c.workload.batch}, ${c.workload.activation}; median of ${c.tfjsRunsMs.length}): ` +
        `gradlab webgpu ${c.gradlabMs.toFixed(1)} ms, TensorFlow.js webgpu ${c.tfjsMs.toFixed(1)} ms, so gradlab webgpu is ${c.gradlabFaster.toFixed(2)}× faster.` +
        (bench.software
          ? ' **Software emulation (SwiftShader or a fallback adapter): these say nothing about GPU speed.**'
          : ''),
    );
  } else {
    lines.push(`WebGPU, gradlab against TensorFlow.js: no comparison (${bench.comparisonStatus}).`);
  }
  return lines;
}
