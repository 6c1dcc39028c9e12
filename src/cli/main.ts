/**
 * gradlab's command line: the same engine, headless.
 *
 *   npm run cli -- run [--activation A] [--depth N] ... [--json]
 *   npm run cli -- notebook [--backend cpu64|cpu] [--json]
 *
 * Errors exit non-zero with one line on stderr that names the bad flag.
 */
import { createCpuBackend } from '../backends/cpu/cpu-backend.ts';
import { createWebGpuBackend } from '../backends/webgpu/webgpu-backend.ts';
import { nodeGpu, rerunWithGpuEnvironment } from './node-webgpu.ts';
import type { Backend } from '../engine/backend.ts';
import { runExperiment } from '../engine/experiment.ts';
import { runNotebook } from '../engine/notebook.ts';
import { layerRecords, type RunResult } from '../engine/results.ts';
import {
  parseSpec,
  SPEC_FIELDS,
  SpecError,
  type BackendName,
  type SpecInput,
} from '../engine/spec.ts';

/**
 * GPU memory a CLI run may take. WebGPU cannot tell how much the device has; a headless run on a
 * workstation or server GPU may use far more than a browser tab.
 */
const GPU_MEMORY_BUDGET = 64 * 1024 ** 3;

/** A usage problem: printed as one line, exit code 2. */
class UsageError extends Error {}

const BOOLEAN_FLAGS = new Set(
  SPEC_FIELDS.filter((f) => f.rule.kind === 'boolean').map((f) => f.name),
);

interface ParsedArgs {
  command: string | undefined;
  flags: Record<string, string>;
  json: boolean;
  help: boolean;
}

function parseArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  const flags: Record<string, string> = {};
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
  return { command: help && command?.startsWith('-') ? undefined : command, flags, json, help };
}

async function backendFor(name: BackendName): Promise<Backend> {
  if (name === 'webgpu')
    return createWebGpuBackend({ gpu: await nodeGpu(), memoryBudgetBytes: GPU_MEMORY_BUDGET });
  return createCpuBackend(name === 'cpu64' ? 'f64' : 'f32');
}

const HELP = `gradlab — activation functions and the vanishing gradient, headless

Usage:
  npm run cli -- run [flags] [--json]      one forward + backward pass with per-layer statistics
  npm run cli -- notebook [--backend cpu64|cpu] [--json]
                                           the chapter's two gradient experiments, exactly

Flags of run:
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
  const header = `${spec.activation}, ${spec.init} init, ${spec.depth} hidden layers × ${spec.width} wide, batch ${spec.batch}, backend ${result.backend.name} (${result.backend.precision})`;
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

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.help || args.command === undefined) {
    process.stdout.write(HELP);
    return args.command === undefined && !args.help ? 2 : 0;
  }
  if (args.command === 'run') {
    const spec = parseSpec(args.flags as SpecInput);
    if (spec.backend === 'webgpu') {
      const status = rerunWithGpuEnvironment();
      if (status !== null) return status;
    }
    const result = await runExperiment(spec, await backendFor(spec.backend));
    process.stdout.write(
      `${args.json ? JSON.stringify(runJson(result), null, 2) : runTable(result)}\n`,
    );
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
    const report = await runNotebook(await backendFor(backendName));
    const output = { backend: backendName, ...report };
    if (args.json) process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    else {
      for (const activation of ['sigmoid', 'relu'] as const) {
        process.stdout.write(
          `Ten-layer ${activation}: ${report.tenLayer[activation].map((v) => v.toExponential(2)).join(' ')}\n`,
        );
        process.stdout.write(`  ${report.diagnosis.tenLayer[activation]}\n`);
        for (const [depth, norms] of Object.entries(report.depthSweep[activation])) {
          process.stdout.write(
            `Depth ${depth} ${activation}: layer 1 ${norms[0]!.toExponential(2)}, output ${norms.at(-1)!.toExponential(2)}\n`,
          );
        }
      }
    }
    return 0;
  }
  throw new UsageError(
    `unknown command ${JSON.stringify(args.command)}; commands: run, notebook (see --help)`,
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof SpecError)
      process.stderr.write(`gradlab: --${error.field}: ${error.detail}\n`);
    else if (error instanceof UsageError) process.stderr.write(`gradlab: ${error.message}\n`);
    else
      process.stderr.write(`gradlab: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof SpecError || error instanceof UsageError ? 2 : 1;
  },
);
