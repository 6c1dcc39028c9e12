// Runs in every vitest worker before the test files: the WebGPU environment defaults (SwiftShader's
// Vulkan ICD from Chromium, a writable XDG_RUNTIME_DIR), so that `npx vitest` alone also finds an
// adapter. See scripts/gpu-env.mjs.
import { applyGpuEnv } from '../scripts/gpu-env.mjs';

applyGpuEnv(process.env);
