/**
 * The one GPU test helper: the only place in the tests that creates a Dawn instance, an adapter
 * or a device. One device per test file (vitest isolates files), created on first use.
 *
 * `gpuTest(name, fn)` registers a vitest test that runs `fn(device)` inside 'validation',
 * 'out-of-memory' and 'internal' error scopes and fails on any error they catch, on an
 * uncaptured error, or on a lost device. Buffers, textures and query sets that `fn` creates on
 * the device are destroyed after it.
 *
 * Without an adapter the test fails and says how to get SwiftShader, in CI or not: GPU tests never
 * pass silently. GRADLAB_SKIP_GPU=1 (asked for explicitly) skips them without looking for one.
 */
import { afterAll, it } from 'vitest';
import { create, globals } from 'webgpu';
import { isCi, skipGpuRequested } from '../../scripts/gpu-env.mjs';

export interface GpuAdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

interface GpuState {
  adapter: GPUAdapter | null;
  device: GPUDevice | null;
}

export const NO_ADAPTER_MESSAGE =
  "No WebGPU adapter. Without a GPU, gradlab uses SwiftShader from Debian's chromium: run `npm test` " +
  '(it installs chromium as root on Debian and sets VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json, ' +
  'XDG_RUNTIME_DIR, and LD_LIBRARY_PATH=/usr/lib/chromium where libvulkan1 is missing), or set those yourself.';

let gpu: GPU | undefined;
let state: Promise<GpuState> | undefined;
let deviceLost: string | undefined;
const uncaptured: string[] = [];
let testsRun = 0;

function gpuState(): Promise<GpuState> {
  state ??= (async () => {
    Object.assign(globalThis, globals);
    gpu = create([]);
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { adapter: null, device: null };
    const device = await adapter.requestDevice({ label: 'gradlab-test-device' });
    device.addEventListener('uncapturederror', (event) => {
      uncaptured.push((event as GPUUncapturedErrorEvent).error.message);
    });
    void device.lost.then((info) => {
      if (info.reason !== 'destroyed') deviceLost = `${info.reason}: ${info.message}`;
    });
    return { adapter, device };
  })();
  return state;
}

function report(adapter: GPUAdapter): GpuAdapterReport {
  const info = adapter.info;
  const legacy = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: info.isFallbackAdapter ?? legacy ?? false,
  };
}

/** The adapter's info, or null when there is no adapter. */
export async function gpuAdapterInfo(): Promise<GpuAdapterReport | null> {
  const { adapter } = await gpuState();
  return adapter ? report(adapter) : null;
}

/** How many gpuTest bodies have run (not skipped) in this file so far. */
export function gpuTestsRun(): number {
  return testsRun;
}

export { isCi, skipGpuRequested };

/** Why a GPU test may not run here, or null: the one rule every GPU test follows. */
export const GPU_SKIP_REASON: string | null = skipGpuRequested()
  ? 'GRADLAB_SKIP_GPU is set: GPU tests skipped on request'
  : null;

/** The failure for a GPU test without an adapter (skipping is only on request). */
export function noAdapterFailure(detail?: string): Error {
  return new Error(
    `${NO_ADAPTER_MESSAGE}${detail ? ` (${detail})` : ''} Set GRADLAB_SKIP_GPU=1 to skip GPU tests.`,
  );
}

type Destroyable = { destroy(): void };

/**
 * Shadows the device's resource-creating methods for one test, so that everything the test
 * creates can be destroyed afterwards; returns the function that restores them and destroys.
 */
function trackResources(device: GPUDevice): () => void {
  const created: Destroyable[] = [];
  const methods = ['createBuffer', 'createTexture', 'createQuerySet'] as const;
  const shadow = device as unknown as Record<string, unknown>;
  for (const method of methods) {
    const original = device[method] as (descriptor: unknown) => Destroyable;
    shadow[method] = (descriptor: unknown) => {
      const resource = original.call(device, descriptor);
      created.push(resource);
      return resource;
    };
  }
  return () => {
    for (const method of methods) delete shadow[method];
    for (const resource of created) resource.destroy();
  };
}

/** Registers a vitest test that runs `fn` on the shared device inside error scopes. */
export function gpuTest(
  name: string,
  fn: (device: GPUDevice) => Promise<void>,
  timeout?: number,
): void {
  it(
    name,
    async (context) => {
      if (GPU_SKIP_REASON) return context.skip(GPU_SKIP_REASON);
      const { device } = await gpuState();
      if (!device) throw noAdapterFailure();
      if (deviceLost) throw new Error(`The GPU device was lost earlier: ${deviceLost}`);
      testsRun++;
      const uncapturedBefore = uncaptured.length;
      const release = trackResources(device);
      device.pushErrorScope('validation');
      device.pushErrorScope('out-of-memory');
      device.pushErrorScope('internal');
      let failure: unknown;
      try {
        await fn(device);
      } catch (error) {
        failure = error;
      }
      // Pop all three even when fn threw, so the next test starts with an empty scope stack.
      const popped = [
        ['internal', await device.popErrorScope()],
        ['out-of-memory', await device.popErrorScope()],
        ['validation', await device.popErrorScope()],
      ] as const;
      release();
      await device.queue.onSubmittedWorkDone();
      if (failure !== undefined) throw failure;
      const errors = popped
        .filter(([, error]) => error !== null)
        .map(([scope, error]) => `${scope} error: ${error?.message}`);
      errors.push(...uncaptured.slice(uncapturedBefore).map((m) => `uncaptured error: ${m}`));
      if (deviceLost) errors.push(`device lost: ${deviceLost}`);
      if (errors.length > 0) throw new Error(`WebGPU errors in "${name}":\n${errors.join('\n')}`);
    },
    timeout,
  );
}

afterAll(async () => {
  if (!state) return;
  const { device } = await state;
  device?.destroy();
  // dawn.node lives as long as the object returned by create() is reachable; drop it so that
  // nothing keeps the worker process alive.
  state = undefined;
  gpu = undefined;
});

/**
 * A second device, from a fresh adapter of the same instance, for tests that must break a device
 * (destroy it, lose it) without touching the shared one. The caller destroys it.
 */
export async function requestExtraDevice(): Promise<GPUDevice> {
  await gpuState();
  const adapter = await gpu!.requestAdapter();
  if (!adapter) throw new Error(NO_ADAPTER_MESSAGE);
  return adapter.requestDevice({ label: 'gradlab-test-extra-device' });
}
