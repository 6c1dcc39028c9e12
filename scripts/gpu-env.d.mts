/** Applies the WebGPU-in-Node environment defaults; returns the changes as `NAME=value`. */
export function applyGpuEnv(
  env?: Record<string, string | undefined>,
  options?: { chromiumPath?: string },
): string[];

/** True when process.env.CI is set to something other than '', '0' or 'false'. */
export function isCi(env?: Record<string, string | undefined>): boolean;

/** True when GRADLAB_SKIP_GPU is 1, true or yes: only then may GPU tests skip. */
export function skipGpuRequested(env?: Record<string, string | undefined>): boolean;
