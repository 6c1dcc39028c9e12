/**
 * gradlab's command line as a library: runCli(argv, io) runs one command and returns its exit
 * status (0 success, 2 a usage error: one line on stderr naming the flag, 1 anything else), writing
 * through `io` and never calling process.exit, so tests and soak runs call it in-process.
 * src/cli/main.ts is the executable that calls it with the process's arguments and streams.
 *
 *   npm run cli -- run [--activation A] [--depth N] ... [--json]
 *   npm run cli -- notebook [--backend cpu64|cpu] [--json]
 *   npm run cli -- theory --activation A --sigma-w S --sigma-b B [--depth N] [--json]
 *   npm run cli -- sweep [--activation A] [--sigma-w2-min …] … [--backend B]   (JSON lines)
 *   npm run cli -- jacobian [run flags] [--sample I] [--json]
 *   npm run cli -- train [run flags] [--task T] [--optimizer O] [--lr X] [--steps N] ... [--json]
 *
 * Errors exit non-zero with one line on stderr that names the bad flag.
 */
import { createReadStream } from 'node:fs';
import { createCpuBackend } from '../backends/cpu/cpu-backend.ts';
import { hasSplittableLayer } from '../backends/cpu/parallel-work.ts';
import {
  availableThreads,
  createNodeLaneTeam,
  parseThreads,
} from '../backends/cpu/node/node-lanes.ts';
import { createWebGpuBackend } from '../backends/webgpu/webgpu-backend.ts';
import { trainStepsOnGpu } from '../backends/webgpu/training-gpu.ts';
import { isSoftwareAdapter } from '../backends/webgpu/adapter.ts';
import { nodeGpu, rerunWithGpuEnvironment } from './node-webgpu.ts';
import type { LaneTeam } from '../backends/cpu/lanes.ts';
import type { Backend } from '../engine/backend.ts';
import { runExperiment } from '../engine/experiment.ts';
import { jacobianSpectrum, JACOBIAN_MAX_SIZE } from '../engine/jacobian.ts';
import { runNotebook } from '../engine/notebook.ts';
import { layerSizes } from '../engine/problem.ts';
import { layerRecords, type AdapterInfo, type RunResult } from '../engine/results.ts';
import {
  parseSpec,
  SPEC_FIELDS,
  SpecError,
  type BackendName,
  type RunSpec,
  type SpecInput,
} from '../engine/spec.ts';
import {
  criticalLine,
  gridValues,
  parseSweepOptions,
  phaseDiagramSweep,
  SWEEP_AXIS_FIELDS,
  SWEEP_SPEC_FIELDS,
} from '../engine/sweep.ts';
import { meanFieldTheory, predictGradientNorms } from '../engine/theory.ts';
import { TASK_NAMES } from '../engine/tasks.ts';
import { describeProblem } from '../import/run-format.ts';
import { RunFileParser } from '../import/run-parser.ts';
import { summarizeRun, type RunSummary } from '../import/run-summary.ts';
import {
  EXPORT_DTYPES,
  EXPORT_FORMATS,
  exportPyTorch,
  type ExportDtype,
} from '../export/pytorch.ts';
import {
  createTrainingState,
  OPTIMIZER_NAMES,
  parseSteps,
  parseTrainingOptions,
  TRAINING_FIELDS,
  trainSteps,
  type TrainingChunk,
  type TrainingInput,
} from '../backends/cpu/training.ts';

/**
 * GPU memory a CLI run may take. WebGPU cannot tell how much the device has; a headless run on a
 * workstation or server GPU may use far more than a browser tab.
 */
const GPU_MEMORY_BUDGET = 64 * 1024 ** 3;

/** A usage problem: printed as one line, exit code 2. */
class UsageError extends Error {}

/** Where a command writes, and how it re-runs itself for the GPU (see node-webgpu.ts). */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /**
   * Re-runs the command in a child process where the GPU environment must be in place before
   * the process starts; returns the child's exit status, or null to run here.
   */
  readonly rerunWithGpuEnvironment: () => number | null;
}

/** The process's own streams: what `npm run cli` uses. */
export const PROCESS_IO: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  rerunWithGpuEnvironment,
};

/** Things a command made that must be freed when it ends (threads, GPU devices). */
type Cleanup = (() => void)[];

const BOOLEAN_FLAGS = new Set(
  SPEC_FIELDS.filter((f) => f.rule.kind === 'boolean').map((f) => f.name),
);

interface ParsedArgs {
  command: string | undefined;
  flags: Record<string, string>;
  /** Arguments that are not flags: only `import FILE` takes one. */
  positional: string[];
  json: boolean;
  help: boolean;
}

function parseArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  // No prototype: a flag named --__proto__ or --constructor is an ordinary (unknown) flag.
  const flags: Record<string, string> = Object.create(null) as Record<string, string>;
  const positional: string[] = [];
  let json = false;
  let help = command === '--help' || command === '-h' || command === 'help';
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--json') {
      json = true;
      continue;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (command === 'import' && !arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    if (!arg.startsWith('--') || arg === '--')
      throw new UsageError(
        `unexpected argument ${JSON.stringify(arg)}; flags look like --depth 10`,
      );
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (name in flags) throw new UsageError(`--${name} is given twice`);
    if (eq !== -1) {
      flags[name] = arg.slice(eq + 1);
    } else if (BOOLEAN_FLAGS.has(name)) {
      // --residual alone means true; --residual false is also accepted.
      const next = rest[i + 1];
      if (next !== undefined && /^(true|false|yes|no|on|off|1|0)$/i.test(next)) {
        flags[name] = next;
        i++;
      } else flags[name] = 'true';
    } else {
      const value = rest[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
      i++;
    }
  }
  return {
    command: help && command?.startsWith('-') ? undefined : command,
    flags,
    positional,
    json,
    help,
  };
}

/**
 * The backend to run on. `threads` (cpu only): how many threads to split passes between; by
 * default every core, where the network has a layer big enough to split (MIN_PARALLEL_WORK).
 */
async function backendFor(
  cleanup: Cleanup,
  name: BackendName,
  threads?: { flag: string | undefined; spec: RunSpec },
): Promise<Backend> {
  if (threads?.flag !== undefined && name !== 'cpu')
    throw new UsageError(`--threads applies to --backend cpu only (got --backend ${name})`);
  if (name === 'webgpu') {
    const gpu = await createWebGpuBackend({
      gpu: await nodeGpu(),
      memoryBudgetBytes: GPU_MEMORY_BUDGET,
    });
    cleanup.push(() => {
      gpu.pool.destroy();
      gpu.device.destroy();
    });
    return gpu;
  }
  if (name === 'cpu64') return createCpuBackend('f64');
  const team = await cpuTeam(threads?.flag, threads?.spec);
  if (team) cleanup.push(() => team.dispose());
  return createCpuBackend('f32', { team });
}

/**
 * The worker threads of a cpu run or training: `--threads` as given (checked), or by default every
 * core where the network has a layer big enough to split (MIN_PARALLEL_WORK); null for one.
 */
async function cpuTeam(
  flag: string | undefined,
  spec: RunSpec | undefined,
): Promise<LaneTeam | null> {
  let count = 1;
  if (flag !== undefined) {
    try {
      count = parseThreads(flag, '--threads');
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  } else if (spec && hasSplittableLayer(layerSizes(spec), spec.batch)) count = availableThreads();
  return count > 1 ? createNodeLaneTeam(count) : null;
}

const DEFAULT_TRAIN_STEPS = 200;

/** The commands, in the order help lists them. */
export const COMMANDS = [
  'run',
  'notebook',
  'theory',
  'sweep',
  'jacobian',
  'train',
  'export',
  'import',
] as const;

const HELP = `gradlab — activation functions and the vanishing gradient, headless

Usage:
  npm run cli -- run [flags] [--json]      one forward + backward pass with per-layer statistics
  npm run cli -- notebook [--backend cpu64|cpu] [--json]
                                           the chapter's two gradient experiments, exactly

  npm run cli -- theory --activation A [--alpha X] --sigma-w S --sigma-b B [--depth N]
                 [--input-mean-square M] [--json]
                                           mean-field theory: q*, chi1 = σ_w²·E[φ'(√q* z)²] and the
                                           gradient depth scale 1/|ln chi1| (see depthScales); the
                                           correlation fixed point cStar, chiC and its depth scale
                                           correlationDepthScale = −1/ln chiC; with --depth, the
                                           predicted ‖δ⁽ˡ⁾‖/‖δ⁽ᴸ⁾‖ per layer
  npm run -s cli -- sweep [flags]          the (σ_w², σ_b²) phase diagram: one JSON line per grid
                                           point as it is measured, then a summary line with the
                                           theoretical chi1 = 1 line
  npm run cli -- jacobian [run flags] [--sample I] [--json]
                                           singular values of the input–output Jacobian at one
                                           input (inputs, width, outputs ≤ ${JACOBIAN_MAX_SIZE})

  npm run cli -- train [run flags] [--task T] [--optimizer O] [--lr X] [--steps N] [--json]
                                           train the network on a synthetic task and record, per
                                           step, the loss (½‖a⁽ᴸ⁾ − Y‖² / batch) and per layer the
                                           update ratio ‖ΔW⁽ˡ⁾‖/‖W⁽ˡ⁾‖ and gradNorm ‖∂L/∂W⁽ˡ⁾‖;
                                           on the CPU (cpu64: f64; cpu: f32) or the GPU (webgpu:
                                           f32, through Dawn; no adapter is an error, as for run)

  npm run -s cli -- export --format pytorch [run flags] [--dtype float64|float32]
                                           print the run as a self-contained PyTorch program: the
                                           same network, one forward and backward pass, and the
                                           per-layer statistics as JSON with the keys of run --json;
                                           with --rng numpy it draws gradlab's very weights

  npm run -s cli -- import FILE [--json]
                                           summarize a run recorded from PyTorch by
                                           python/gradlab_record.py (docs/run-format.md): its
                                           layers, steps, the mean-field phase where the model is a
                                           plain stack of Linear layers, and flags (dead units,
                                           vanishing or exploding gradients, non-finite values)

In JSON output, infinite and undefined numbers are written as the strings "Infinity", "-Infinity"
and "NaN" (a depth scale is infinite at chi1 = 1; q* is infinite where q⁽ˡ⁾ grows without bound).

Flags of sweep (σ² grids; default 8 × 6 points, tanh, depth 20, width 256, batch 32, cpu64):
${SWEEP_AXIS_FIELDS.map((f) => `  --${f.name.padEnd(18)} default ${f.default}`).join('\n')}
  ${SWEEP_SPEC_FIELDS.map((f) => `--${f}`).join(', ')} as for run;
  --backend cpu|cpu64|webgpu (default cpu64)

Flags of train (besides the run flags; not --repeat):
  --task             ${TASK_NAMES.join('|')} (default teacher; spirals sets inputs 2, outputs 1)
  --optimizer        ${OPTIMIZER_NAMES.join('|')} (default sgd)
${TRAINING_FIELDS.map((f) => `  --${f.name.padEnd(18)} ${f.help}`).join('\n')}
  --steps            steps to train, 1 to 100000 (default ${DEFAULT_TRAIN_STEPS})
  --threads          as for run: cpu training splits each step between threads

Flags of run:
  --threads          cpu only: threads to split each pass between, 1 to 64 (default: every core,
                     where a layer is big enough to split; this machine has ${availableThreads()})
${SPEC_FIELDS.map((f) => `  --${f.name.padEnd(18)} ${f.help}${f.rule.kind === 'choice' ? ` (${f.rule.choices.join('|')})` : ''}`).join('\n')}
`;

function formatNumber(value: number | null): string {
  if (value === null) return 'non-finite';
  if (value === 0) return '0';
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e4
    ? value.toFixed(4)
    : value.toExponential(3);
}

function runJson(result: RunResult): unknown {
  return {
    spec: result.spec,
    backend: result.backend,
    ...(result.backend.adapter ? { adapter: result.backend.adapter } : {}),
    timings: {
      initMs: result.timings.initMs,
      computeMs: result.timings.computeMs,
      ...(result.timings.compileMs !== undefined ? { compileMs: result.timings.compileMs } : {}),
    },
    loss: Number.isFinite(result.stats.loss) ? result.stats.loss : null,
    layers: layerRecords(result.stats),
  };
}

function runTable(result: RunResult): string {
  const { spec, timings } = result;
  const header = `${spec.activation}, ${spec.init} init, ${spec.depth} hidden layers × ${spec.width} wide, batch ${spec.batch}, backend ${result.backend.name} (${result.backend.precision}${result.backend.threads && result.backend.threads > 1 ? `, ${result.backend.threads} threads` : ''})`;
  const columns = ['layer', 'gradNorm', 'weightGradNorm', 'mean', 'std', 'dead', 'saturated'];
  const rows = layerRecords(result.stats).map((r) => [
    String(r.layer),
    formatNumber(r.gradNorm),
    formatNumber(r.weightGradNorm),
    formatNumber(r.activationMean),
    formatNumber(r.activationStd),
    formatNumber(r.deadFraction),
    formatNumber(r.saturatedFraction),
  ]);
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => cell.padStart(widths[i]!)).join('  ');
  return [
    header,
    line(columns),
    ...rows.map(line),
    `loss ${formatNumber(Number.isFinite(result.stats.loss) ? result.stats.loss : null)}; init ${timings.initMs.toFixed(1)} ms, compute ${timings.computeMs.toFixed(1)} ms (median of ${spec.repeat})`,
  ].join('\n');
}

/** JSON with non-finite numbers written as the strings "Infinity", "-Infinity" and "NaN". */
function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v),
    indent,
  );
}

/** Rejects flags a command does not take, naming the flag and listing those it does. */
function onlyFlags(command: string, flags: Record<string, string>, allowed: readonly string[]) {
  for (const name of Object.keys(flags)) {
    if (!allowed.includes(name))
      throw new UsageError(
        `--${name} is not a flag of ${command}; it takes ${allowed.map((f) => `--${f}`).join(', ')} and --json`,
      );
  }
}

const THEORY_FLAGS = ['activation', 'alpha', 'sigma-w', 'sigma-b', 'depth', 'input-mean-square'];

function theoryCommand(io: CliIo, flags: Record<string, string>, json: boolean): void {
  onlyFlags('theory', flags, THEORY_FLAGS);
  const { 'input-mean-square': meanSquareText, depth: depthText, ...specFlags } = flags;
  const spec = parseSpec({
    ...specFlags,
    init: 'custom',
    ...(depthText ? { depth: depthText } : {}),
  });
  let inputMeanSquare = 1;
  if (meanSquareText !== undefined) {
    inputMeanSquare = Number(meanSquareText.trim());
    if (meanSquareText.trim() === '' || !Number.isFinite(inputMeanSquare) || inputMeanSquare < 0)
      throw new SpecError(
        'input-mean-square',
        `got ${JSON.stringify(meanSquareText)}; allowed: a number ≥ 0 (the mean of x² over the inputs)`,
      );
  }
  const params = {
    activation: spec.activation,
    alpha: spec.alpha,
    sigmaW: spec.sigmaW,
    sigmaB: spec.sigmaB,
    inputMeanSquare,
  };
  const theory = meanFieldTheory(params);
  const prediction = depthText !== undefined ? predictGradientNorms(params, spec.depth) : null;
  const output = {
    activation: theory.activation,
    alpha: theory.alpha,
    sigmaW: theory.sigmaW,
    sigmaB: theory.sigmaB,
    qFirst: theory.fixedPoint.qFirst,
    qStar: theory.qStar,
    fixedPoint: theory.fixedPoint.kind,
    qMapSlope: theory.fixedPoint.slope,
    chi1: theory.chi1,
    phase: theory.phase,
    depthScale: theory.depthScale,
    depthScales: theory.depthScales,
    cStar: theory.cStar,
    chiC: theory.chiC,
    correlationDepthScale: theory.depthScales.correlation,
    ...(prediction
      ? {
          layers: Array.from({ length: prediction.layers }, (_, i) => ({
            layer: i + 1,
            q: i < prediction.variances.length ? prediction.variances[i]! : null,
            gradNormRatio: prediction.layerwise[i]!,
            gradNormRatioAtFixedPoint: prediction.atFixedPoint[i]!,
          })),
        }
      : {}),
  };
  if (json) {
    io.stdout(`${toJson(output, 2)}\n`);
    return;
  }
  const number = (v: number): string => (Number.isFinite(v) ? formatNumber(v) : String(v));
  const lines = [
    `${theory.activation}${theory.alpha ? ` (α = ${theory.alpha})` : ''}, σ_w = ${theory.sigmaW}, σ_b = ${theory.sigmaB}`,
    `q⁽¹⁾ ${number(theory.fixedPoint.qFirst)} → q* ${number(theory.qStar)} (${theory.fixedPoint.kind})`,
    `chi1 ${number(theory.chi1)}: ${theory.phase}; gradients ${theory.depthScales.gradientTrend} toward the input`,
    `depth scales (layers): gradient ${number(theory.depthScales.gradient)}, variance ${number(theory.depthScales.variance)}, correlation ${number(theory.depthScales.correlation)}`,
    `correlation fixed point c* ${number(theory.cStar)}, chiC ${number(theory.chiC)}`,
  ];
  if (prediction) {
    lines.push('layer  q            ‖δ⁽ˡ⁾‖/‖δ⁽ᴸ⁾‖  chi1^((L−l)/2)');
    for (let i = 0; i < prediction.layers; i++)
      lines.push(
        `${String(i + 1).padStart(5)}  ${(i < prediction.variances.length ? number(prediction.variances[i]!) : '—').padEnd(11)}  ${number(prediction.layerwise[i]!).padEnd(13)}  ${number(prediction.atFixedPoint[i]!)}`,
      );
  }
  io.stdout(`${lines.join('\n')}\n`);
}

async function sweepCommand(
  io: CliIo,
  cleanup: Cleanup,
  flags: Record<string, string>,
): Promise<number> {
  onlyFlags('sweep', flags, [
    ...SWEEP_AXIS_FIELDS.map((f) => f.name),
    ...SWEEP_SPEC_FIELDS,
    'backend',
  ]);
  const { backend: backendText, ...sweepFlags } = flags;
  const backendName = backendText ?? 'cpu64';
  if (backendName !== 'cpu64' && backendName !== 'cpu' && backendName !== 'webgpu')
    throw new SpecError(
      'backend',
      `got ${JSON.stringify(backendName)}; allowed: cpu64, cpu, webgpu`,
    );
  const options = parseSweepOptions(sweepFlags);
  if (backendName === 'webgpu') {
    const status = io.rerunWithGpuEnvironment();
    if (status !== null) return status;
  }
  const backend = await backendFor(cleanup, backendName);
  const start = performance.now();
  let points = 0;
  for await (const point of phaseDiagramSweep(options, backend)) {
    io.stdout(`${toJson({ type: 'point', ...point })}\n`);
    points++;
  }
  const { spec } = options;
  io.stdout(
    `${toJson({
      type: 'summary',
      points,
      activation: spec.activation,
      alpha: spec.alpha,
      depth: spec.depth,
      width: spec.width,
      batch: spec.batch,
      seed: spec.seed,
      backend: backend.info.name,
      elapsedMs: Math.round(performance.now() - start),
      criticalLine: criticalLine(
        spec.activation,
        spec.alpha,
        gridValues(options.sigmaB2),
        options.sigmaW2,
      ),
    })}\n`,
  );
  return 0;
}

function jacobianCommand(io: CliIo, flags: Record<string, string>, json: boolean): void {
  const { sample: sampleText, ...specFlags } = flags;
  for (const name of ['backend', 'repeat', 'bins'])
    if (name in specFlags)
      throw new UsageError(
        `--${name} is not a flag of jacobian: the Jacobian is computed once, in f64 on the CPU`,
      );
  const sample = sampleText === undefined ? 0 : Number(sampleText);
  const spec = parseSpec({ ...specFlags, backend: 'cpu64' } as SpecInput);
  if (sampleText !== undefined && (!/^\d+$/.test(sampleText.trim()) || sample >= spec.batch))
    throw new SpecError(
      'sample',
      `got ${JSON.stringify(sampleText)}; allowed: an integer from 0 to ${spec.batch - 1} (a column of the batch)`,
    );
  const result = jacobianSpectrum(spec, sample);
  const output = {
    activation: spec.activation,
    init: spec.init,
    depth: spec.depth,
    width: spec.width,
    inputs: spec.inputs,
    outputs: spec.outputs,
    sample,
    max: result.max,
    min: result.min,
    meanSquare: result.meanSquare,
    conditionNumber: result.conditionNumber,
    singularValues: Array.from(result.singularValues),
  };
  if (json) {
    io.stdout(`${toJson(output, 2)}\n`);
    return;
  }
  io.stdout(
    `${spec.activation}, ${spec.init} init, ${spec.depth} hidden layers × ${spec.width}, input ${sample}: ` +
      `${result.singularValues.length} singular values from ${formatNumber(result.min)} to ${formatNumber(result.max)}, ` +
      `mean σ² ${formatNumber(result.meanSquare)}, condition number ${Number.isFinite(result.conditionNumber) ? formatNumber(result.conditionNumber) : 'Infinity'}\n`,
  );
}

const TRAIN_OPTION_FLAGS = ['task', 'optimizer', ...TRAINING_FIELDS.map((f) => f.name)];

async function trainCommand(
  io: CliIo,
  flags: Record<string, string>,
  json: boolean,
): Promise<number> {
  if ('repeat' in flags)
    throw new UsageError('--repeat is not a flag of train: training is not timed');
  const optionFlags: Record<string, string> = {};
  const specFlags: Record<string, string> = {};
  let stepsText: string | undefined;
  let threadsText: string | undefined;
  for (const [name, value] of Object.entries(flags)) {
    if (name === 'steps') stepsText = value;
    else if (name === 'threads') threadsText = value;
    else if (TRAIN_OPTION_FLAGS.includes(name)) optionFlags[name] = value;
    else specFlags[name] = value;
  }
  const spec = parseSpec(specFlags as SpecInput);
  const options = parseTrainingOptions(optionFlags as TrainingInput);
  const steps = stepsText === undefined ? DEFAULT_TRAIN_STEPS : parseSteps(stepsText);
  if (threadsText !== undefined && spec.backend !== 'cpu')
    throw new UsageError(`--threads applies to --backend cpu only (got --backend ${spec.backend})`);
  const start = createTrainingState(spec, options);
  let adapter: AdapterInfo | undefined;
  let chunk: TrainingChunk;
  if (spec.backend === 'webgpu') {
    // After every flag is checked, so bad input fails the same way whatever the backend.
    const status = io.rerunWithGpuEnvironment();
    if (status !== null) return status;
    const gpu = await createWebGpuBackend({
      gpu: await nodeGpu(),
      memoryBudgetBytes: GPU_MEMORY_BUDGET,
    });
    adapter = gpu.info.adapter;
    try {
      chunk = await trainStepsOnGpu(start, steps, {
        device: gpu.device,
        runner: gpu.runner,
        software: adapter ? isSoftwareAdapter(adapter) : undefined,
      });
    } finally {
      gpu.device.destroy();
    }
  } else {
    // cpu training splits each step between threads, as runs do (cpu64 stays on one).
    const team = spec.backend === 'cpu' ? await cpuTeam(threadsText, start.spec) : null;
    try {
      chunk = trainSteps(start, steps, { team });
    } finally {
      team?.dispose();
    }
  }
  const { state, records } = chunk;
  const optimizer =
    options.optimizer === 'adam'
      ? {
          name: 'adam',
          lr: options.learningRate,
          beta1: options.beta1,
          beta2: options.beta2,
          epsilon: options.epsilon,
        }
      : { name: 'sgd', lr: options.learningRate, momentum: options.momentum };
  if (json) {
    const output = {
      spec: state.spec,
      task: options.task,
      optimizer,
      backend: state.backend,
      ...(adapter ? { adapter } : {}),
      precision: state.precision,
      steps: state.step,
      diverged: state.diverged,
      records: records.map((r) => ({
        step: r.step,
        loss: r.loss,
        updateRatio: Array.from(r.updateRatio),
        gradNorm: Array.from(r.gradNorm),
        nonFinite: r.nonFinite,
      })),
    };
    io.stdout(`${toJson(output, 2)}\n`);
    return 0;
  }
  const s = state.spec;
  const lines = [
    `${options.task}: ${s.activation}, ${s.init} init, ${s.depth} hidden layers × ${s.width}` +
      `${s.residual ? ', residual' : ''}${s.batchnorm ? ', batchnorm' : ''}, batch ${s.batch}; ` +
      `${optimizer.name} lr ${options.learningRate}; ${state.backend} (${state.precision}, on the ${state.backend === 'webgpu' ? 'GPU' : 'CPU'})`,
    `${'step'.padStart(6)}  ${'loss'.padStart(11)}  ${'ratio l=1'.padStart(11)}  ${`ratio l=${state.sizes.length - 1}`.padStart(11)}  ${'grad l=1'.padStart(11)}  ${`grad l=${state.sizes.length - 1}`.padStart(11)}`,
  ];
  const every = Math.max(1, Math.ceil(records.length / 10));
  const number = (v: number): string => (Number.isFinite(v) ? formatNumber(v) : String(v));
  records.forEach((r, i) => {
    if (i % every !== 0 && i !== records.length - 1) return;
    const cells = [
      r.loss,
      r.updateRatio[0]!,
      r.updateRatio.at(-1)!,
      r.gradNorm[0]!,
      r.gradNorm.at(-1)!,
    ].map((v) => number(v).padStart(11));
    lines.push(`${String(r.step).padStart(6)}  ${cells.join('  ')}`);
  });
  if (state.diverged !== null)
    lines.push(
      `diverged at step ${state.diverged}: the loss, a gradient or the weights were not finite`,
    );
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

/** `export --format pytorch [run flags] [--dtype D]`: the run as a PyTorch program on stdout. */
function exportCommand(io: CliIo, flags: Record<string, string>, json: boolean): void {
  if (json) throw new UsageError('--json is not a flag of export: it prints a Python program');
  const { format, dtype: dtypeText, threads, ...specFlags } = flags;
  if (threads !== undefined)
    throw new UsageError('--threads is not a flag of export: the program runs in PyTorch');
  if (format === undefined)
    throw new SpecError('format', `missing; allowed: ${EXPORT_FORMATS.join(', ')}`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new SpecError(
      'format',
      `got ${JSON.stringify(format)}; allowed: ${EXPORT_FORMATS.join(', ')}`,
    );
  const dtype = dtypeText ?? 'float64';
  if (!(EXPORT_DTYPES as readonly string[]).includes(dtype))
    throw new SpecError(
      'dtype',
      `got ${JSON.stringify(dtype)}; allowed: ${EXPORT_DTYPES.join(', ')}`,
    );
  const spec = parseSpec(specFlags as SpecInput);
  io.stdout(exportPyTorch(spec, { dtype: dtype as ExportDtype }));
}

/** The summary of an imported run as text. */
function summaryText(file: string, summary: RunSummary): string {
  const types = new Map<string, number>();
  for (const layer of summary.layers) types.set(layer.type, (types.get(layer.type) ?? 0) + 1);
  const { steps, loss, meanField } = summary;
  const number = (v: number | null): string =>
    v === null ? '—' : Number.isFinite(v) ? formatNumber(v) : String(v);
  const lines = [
    `${file}: ${summary.model ?? 'a model'}, ${summary.layers.length} recorded layers (${[...types].map(([t, n]) => `${t} ×${n}`).join(', ')})${summary.torch ? `, torch ${summary.torch}` : ''}`,
    steps.recorded === 0
      ? 'no step records'
      : `steps ${steps.first}–${steps.last}, every ${steps.every}: ${steps.recorded} records${steps.total !== null ? ` (of ${steps.total} steps planned)` : ''}${summary.complete ? '' : '; no end line (interrupted?)'}`,
    `loss ${number(loss.first)} → ${number(loss.last)}`,
    meanField.applicable
      ? `mean field (${meanField.activation}, σ_w ${number(meanField.sigmaW)}, σ_b ${number(meanField.sigmaB)} at step ${meanField.step}): ${meanField.phase}, chi1 ${number(meanField.chi1)}, gradients ${meanField.gradientTrend} toward the input (depth scale ${number(meanField.depthScale)} layers)`
      : `mean field: not applicable (${meanField.reason})`,
    summary.flags.length ? 'flags:' : 'flags: none',
    ...summary.flags.map((f) => `  ${f.severity}: ${f.message}`),
    summary.problemCount ? `problems (${summary.problemCount}):` : 'problems: none',
    ...summary.problems.map((p) => `  ${p.severity}: ${describeProblem(p)}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** `import FILE [--json]`: reads a run file in chunks and prints its summary and flags. */
async function importCommand(io: CliIo, args: ParsedArgs): Promise<number> {
  for (const name of Object.keys(args.flags))
    throw new UsageError(`--${name} is not a flag of import; it takes a FILE and --json`);
  if (args.positional.length !== 1)
    throw new UsageError(
      `import takes one FILE (a run file written by python/gradlab_record.py); got ${args.positional.length}`,
    );
  const file = args.positional[0]!;
  const parser = new RunFileParser();
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      parser.push(chunk as Buffer);
      if (parser.fatal) break;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `import: cannot read ${JSON.stringify(file)}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message}`,
    );
  }
  const result = parser.finish();
  if (!result.run) {
    io.stderr(`gradlab: ${file}: ${describeProblem(result.fatal!)}\n`);
    return 1;
  }
  const summary = summarizeRun(result.run, result);
  io.stdout(args.json ? `${toJson({ file, ...summary }, 2)}\n` : summaryText(file, summary));
  return 0;
}

async function command(io: CliIo, cleanup: Cleanup, argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.help) {
    io.stdout(HELP);
    return 0;
  }
  if (args.command === undefined) {
    io.stdout(HELP);
    throw new UsageError(`no command given; commands: ${COMMANDS.join(', ')} (see --help)`);
  }
  if (args.command === 'run') {
    const { threads, ...specFlags } = args.flags;
    const spec = parseSpec(specFlags as SpecInput);
    if (spec.backend === 'webgpu') {
      const status = io.rerunWithGpuEnvironment();
      if (status !== null) return status;
    }
    const backend = await backendFor(cleanup, spec.backend, { flag: threads, spec });
    const result = await runExperiment(spec, backend);
    io.stdout(`${args.json ? JSON.stringify(runJson(result), null, 2) : runTable(result)}\n`);
    return 0;
  }
  if (args.command === 'notebook') {
    for (const name of Object.keys(args.flags)) {
      if (name !== 'backend')
        throw new UsageError(
          `--${name} is not a flag of notebook; it takes --backend cpu64|cpu and --json`,
        );
    }
    const backendName = args.flags.backend ?? 'cpu64';
    if (backendName !== 'cpu64' && backendName !== 'cpu') {
      throw new SpecError('backend', `got ${JSON.stringify(backendName)}; allowed: cpu64, cpu`);
    }
    const report = await runNotebook(await backendFor(cleanup, backendName));
    const output = { backend: backendName, ...report };
    if (args.json) io.stdout(`${JSON.stringify(output, null, 2)}\n`);
    else {
      for (const activation of ['sigmoid', 'relu'] as const) {
        io.stdout(
          `Ten-layer ${activation}: ${report.tenLayer[activation].map((v) => v.toExponential(2)).join(' ')}\n`,
        );
        io.stdout(`  ${report.diagnosis.tenLayer[activation]}\n`);
        for (const [depth, norms] of Object.entries(report.depthSweep[activation])) {
          io.stdout(
            `Depth ${depth} ${activation}: layer 1 ${norms[0]!.toExponential(2)}, output ${norms.at(-1)!.toExponential(2)}\n`,
          );
        }
      }
    }
    return 0;
  }
  if (args.command === 'theory') {
    theoryCommand(io, args.flags, args.json);
    return 0;
  }
  if (args.command === 'sweep') return sweepCommand(io, cleanup, args.flags);
  if (args.command === 'jacobian') {
    jacobianCommand(io, args.flags, args.json);
    return 0;
  }
  if (args.command === 'train') return trainCommand(io, args.flags, args.json);
  if (args.command === 'import') return importCommand(io, args);
  if (args.command === 'export') {
    exportCommand(io, args.flags, args.json);
    return 0;
  }
  throw new UsageError(
    `unknown command ${JSON.stringify(args.command)}; commands: ${COMMANDS.join(', ')} (see --help)`,
  );
}

/**
 * Runs one command. Resolves with the exit status; never rejects and never exits the process:
 * a SpecError or usage problem is one line on stderr (`gradlab: --flag: …`) and status 2, any
 * other failure one line and status 1. Threads and GPU devices the command made are freed.
 */
export async function runCli(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  const cleanup: Cleanup = [];
  try {
    return await command(io, cleanup, argv);
  } catch (error) {
    io.stderr(`${errorLine(error)}\n`);
    return error instanceof SpecError || error instanceof UsageError ? 2 : 1;
  } finally {
    for (const free of cleanup.reverse()) free();
  }
}

/** One line for an error: the flag it names and what is allowed, or its message. */
function errorLine(error: unknown): string {
  if (error instanceof SpecError) return oneLine(`gradlab: --${error.field}: ${error.detail}`);
  if (error instanceof Error) return oneLine(`gradlab: ${error.message || error.name}`);
  return oneLine(`gradlab: ${String(error)}`);
}

/** Line breaks in a message (a flag value can hold one) are written as \n, keeping one line. */
function oneLine(text: string): string {
  return text.replace(/\r?\n|\r/g, '\\n');
}
