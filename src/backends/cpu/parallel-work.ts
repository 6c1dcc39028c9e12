/**
 * When the CPU backend splits a layer's work between threads: a module of its own, so that a page
 * that only describes the rule (the thread-scaling table) does not load the engine with it.
 */

/**
 * Below this many multiply-adds, a layer's job runs on the coordinating thread alone: handing it
 * to other threads would cost more than it saves.
 */
export const MIN_PARALLEL_WORK = 1 << 17;

/** Whether some layer's product is big enough to split between threads (MIN_PARALLEL_WORK). */
export function hasSplittableLayer(sizes: readonly number[], batch: number): boolean {
  for (let l = 1; l < sizes.length; l++)
    if (sizes[l]! * sizes[l - 1]! * batch >= MIN_PARALLEL_WORK) return true;
  return false;
}
