/**
 * WebGPU in Node for the CLI and the benchmark: Dawn's bindings (the `webgpu` package). On Linux
 * without a GPU it uses the SwiftShader driver that Debian's chromium ships (scripts/gpu-env.mjs).
 */
import { spawnSync } from 'node:child_process';
import { applyGpuEnv } from '../../scripts/gpu-env.mjs';

const REEXEC_FLAG = 'GRADLAB_GPU_ENV_APPLIED';

/**
 * The dynamic linker reads LD_LIBRARY_PATH only when a process starts, and Dawn needs it where the
 * system has no Vulkan loader but Chromium bundles one. Then the command is run again in a child
 * process with the environment in place, and this returns its exit status; otherwise null.
 */
export function rerunWithGpuEnvironment(): number | null {
  if (process.env[REEXEC_FLAG]) return null;
  const env: Record<string, string | undefined> = { ...process.env };
  const changed = applyGpuEnv(env);
  applyGpuEnv(process.env);
  if (!changed.some((entry) => entry.startsWith('LD_LIBRARY_PATH='))) return null;
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...env, [REEXEC_FLAG]: '1' },
  });
  return child.status ?? 1;
}

let keepAlive: GPU | null = null;

/** The `gpu` object of Dawn's bindings; kept referenced, since collecting it crashes Dawn. */
export async function nodeGpu(): Promise<GPU> {
  if (keepAlive) return keepAlive;
  applyGpuEnv(process.env);
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  keepAlive = create([]);
  return keepAlive;
}
