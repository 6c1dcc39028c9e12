/**
 * Finding a WebGPU adapter, in the browser (navigator.gpu) or in Node (Dawn's bindings put the same
 * `gpu` object in place). Components ask here; none touches navigator.gpu itself.
 */
import type { AdapterInfo } from '../../engine/results.ts';

export type AdapterProbe =
  | { readonly available: true; readonly adapter: GPUAdapter; readonly info: AdapterInfo }
  | { readonly available: false; readonly reason: string };

export function describeAdapter(adapter: GPUAdapter): AdapterInfo {
  const info = adapter.info;
  // isFallbackAdapter moved from GPUAdapter to GPUAdapterInfo; read whichever this browser has.
  const legacy = adapter as GPUAdapter & { isFallbackAdapter?: boolean };
  const infoFallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isFallbackAdapter: Boolean(infoFallback ?? legacy.isFallbackAdapter),
  };
}

/** True for software emulation (SwiftShader, or any fallback adapter): never report it as GPU speed. */
export function isSoftwareAdapter(info: AdapterInfo): boolean {
  return (
    info.isFallbackAdapter ||
    /swiftshader|llvmpipe|lavapipe/i.test(`${info.architecture} ${info.description} ${info.vendor}`)
  );
}

export async function probeWebGpu(
  gpu: GPU | undefined = globalThis.navigator?.gpu,
): Promise<AdapterProbe> {
  if (!gpu) {
    return {
      available: false,
      reason: 'this browser has no WebGPU (navigator.gpu is missing); runs use the CPU',
    };
  }
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter)
      return {
        available: false,
        reason: 'WebGPU found no adapter on this machine; runs use the CPU',
      };
    return { available: true, adapter, info: describeAdapter(adapter) };
  } catch (error) {
    return {
      available: false,
      reason: `WebGPU failed to start (${error instanceof Error ? error.message : String(error)}); runs use the CPU`,
    };
  }
}

/** One line for the page: the adapter found (flagged when it is software), or why there is none. */
export async function describeWebGpu(gpu?: GPU): Promise<string> {
  const probe = await probeWebGpu(gpu ?? globalThis.navigator?.gpu);
  if (!probe.available) return probe.reason;
  const { vendor, architecture } = probe.info;
  return (
    `WebGPU adapter: ${vendor || 'unknown vendor'} ${architecture}` +
    (isSoftwareAdapter(probe.info) ? ' (software emulation: its timings are not GPU speed)' : '')
  );
}
