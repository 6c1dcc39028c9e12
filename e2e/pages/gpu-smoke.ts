/**
 * The browser half of the WebGPU smoke test (e2e/webgpu-smoke.spec.ts): the same activation
 * comparison as tests/gpu/activation-smoke.test.ts, on the browser's own WebGPU.
 * `window.gradlabSmoke()` runs it and returns a plain, serialisable report.
 */
import { ACTIVATION_NAMES, type ActivationName } from '../../src/engine/activations.ts';
import {
  checkActivation,
  describeCheck,
  type ActivationCheck,
} from '../../tests/gpu/activation-check.ts';

export interface SmokeAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

export interface SmokeResult extends ActivationCheck {
  /** describeCheck's one-line account, for failure messages. */
  summary: string;
}

export interface SmokeReport {
  /** null when navigator.gpu is missing or offers no adapter. */
  adapter: SmokeAdapter | null;
  /** Why there is no adapter or device, if so. */
  problem?: string;
  results: SmokeResult[];
  /** Errors from the error scopes, uncaptured errors and device loss. */
  gpuErrors: string[];
  milliseconds: number;
}

declare global {
  interface Window {
    gradlabSmoke: () => Promise<SmokeReport>;
  }
}

/** Every activation with its default α, plus the non-default α cases of the Node test. */
const CASES: { name: ActivationName; alpha?: number }[] = [
  ...ACTIVATION_NAMES.map((name) => ({ name })),
  { name: 'leaky_relu', alpha: 0.2 },
  { name: 'elu', alpha: 0.5 },
];

async function gradlabSmoke(): Promise<SmokeReport> {
  const started = performance.now();
  const report: SmokeReport = { adapter: null, results: [], gpuErrors: [], milliseconds: 0 };
  if (!navigator.gpu) {
    report.problem = 'navigator.gpu is undefined (WebGPU disabled, or not a secure context)';
    return report;
  }
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) {
    report.problem = 'navigator.gpu.requestAdapter() returned null';
    return report;
  }
  const info = adapter.info;
  report.adapter = {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: info.isFallbackAdapter ?? false,
  };
  const device = await adapter.requestDevice({ label: 'gradlab-smoke-device' });
  device.addEventListener('uncapturederror', (event) => {
    report.gpuErrors.push(`uncaptured: ${(event as GPUUncapturedErrorEvent).error.message}`);
  });
  void device.lost.then((lost) => {
    if (lost.reason !== 'destroyed') report.gpuErrors.push(`device lost: ${lost.message}`);
  });
  try {
    for (const { name, alpha } of CASES) {
      device.pushErrorScope('validation');
      device.pushErrorScope('out-of-memory');
      device.pushErrorScope('internal');
      const check = await checkActivation(device, name, alpha);
      for (const scope of ['internal', 'out-of-memory', 'validation']) {
        const error = await device.popErrorScope();
        if (error) report.gpuErrors.push(`${name}: ${scope} error: ${error.message}`);
      }
      report.results.push({ ...check, summary: describeCheck(check) });
    }
  } finally {
    device.destroy();
  }
  report.milliseconds = performance.now() - started;
  return report;
}

window.gradlabSmoke = gradlabSmoke;
const status = document.getElementById('status');
if (status) status.textContent = 'Ready: call window.gradlabSmoke()';
