/**
 * A WGSL program as plain data (the tfjs-backend-webgpu idea): the shader text, its cache key, the
 * kinds of its bindings and its dispatch size. One runner (runner.ts) builds pipelines, caches them
 * by key, makes bind groups and dispatches; kernels only describe themselves.
 */

/** What binding i of group 0 is. */
export type BindingKind = 'read-only-storage' | 'storage' | 'uniform';

export interface GpuProgram {
  /** Everything that changes the shader text, e.g. `matmul:nt:tile64x64:relu`. */
  readonly key: string;
  /** The whole WGSL module. */
  readonly code: string;
  /** Binding kinds of @group(0) @binding(0..n-1), in order. */
  readonly bindings: readonly BindingKind[];
  /** Workgroups to dispatch. */
  readonly workgroups: readonly [number, number, number];
  /** Entry point, `main` unless given. */
  readonly entryPoint?: string;
}

/** Workgroup counts along one axis: ⌈size / per⌉, at least 1. */
export function groupsFor(size: number, per: number): number {
  return Math.max(1, Math.ceil(size / per));
}

/**
 * Splits a 1-D dispatch over x and y when it exceeds the per-dimension limit (65535 by default):
 * kernels then read their linear workgroup index as `wid.x + wid.y * num_workgroups.x`.
 */
export function linearWorkgroups(
  groups: number,
  maxPerDimension = 65535,
): [number, number, number] {
  if (groups <= maxPerDimension) return [Math.max(1, groups), 1, 1];
  const y = Math.ceil(groups / maxPerDimension);
  return [Math.ceil(groups / y), y, 1];
}
