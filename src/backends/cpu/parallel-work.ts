/**
 * When the CPU backend splits a layer's work between threads: a module of its own, so that a page
 * that only describes the rule (the thread-scaling table) does not load the engine with it.
 */

/**
 * Below this many multiply-adds, a layer's job runs on the coordinating thread alone: handing it
 * to other threads would cost more than it saves.
 */
export const MIN_PARALLEL_WORK = 1 << 17;

/**
 * Below this many multiply-adds in its largest layer, a run does not wait for the CPU worker's
 * threads while they are still starting (the page's first moments): its pass takes a few
 * milliseconds on one thread, less than the other threads take to start, and a cold team's
 * first passes are slower than one thread (the lab's opening, 30 × 64 × batch 32: 1.5 ms on one
 * thread, 5 ms on two for the team's first passes, 1.0 ms once warm; Node, this machine).
 */
export const MIN_WAIT_WORK = 1 << 20;

/**
 * Whether some layer's product is big enough to split between threads (at least `minWork`
 * multiply-adds, MIN_PARALLEL_WORK unless said).
 */
export function hasSplittableLayer(
  sizes: readonly number[],
  batch: number,
  minWork = MIN_PARALLEL_WORK,
): boolean {
  for (let l = 1; l < sizes.length; l++)
    if (sizes[l]! * sizes[l - 1]! * batch >= minWork) return true;
  return false;
}
