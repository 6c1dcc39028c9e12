/**
 * Figures are readied one per frame, from a queue, as Distill's are: a section of eight figures,
 * or a page of them, appearing at once draws them one after another, each in a task of its own,
 * so none blocks the page for long and the first appears as soon as it can.
 *
 * The queue serves what the reader sees first: each frame's turn goes to the waiting element
 * nearest the viewport (one on screen before one below it), and among equals to the one that
 * asked first. A figure on screen whose data arrives late (the lab's opening waits for the CPU
 * worker) is therefore drawn at the next frame, not after every chart of the section below it.
 */

/**
 * Resolves in a task of its own (a macrotask), so that the page paints and handles input before
 * the work that follows: between slices of work, or between a figure's drawing and its compute.
 */
export const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Callers waiting for their turn, in the order asked, with the element each turn is for. */
const waiting: [resolve: () => void, element: Element | undefined][] = [];

/** The next frame's task (a macrotask after the frame, so the frame can paint first). */
function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    const later = () => setTimeout(resolve, 0);
    if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined') {
      // A hidden page has no frames: do not wait for one there.
      if (document.visibilityState === 'hidden') later();
      else requestAnimationFrame(later);
    } else later();
  });
}

/**
 * How far `element` is from the viewport, in CSS pixels: 0 on screen (or not laid out, or not on
 * the page: a removed element's turn costs nothing, so it is not kept waiting).
 */
export function viewportDistance(element: Element | undefined): number {
  if (!element?.isConnected || typeof innerHeight !== 'number') return 0;
  const box = element.getBoundingClientRect();
  if (box.width === 0 && box.height === 0) return 0;
  return Math.max(0, box.top - innerHeight, -box.bottom);
}

/** Gives one turn per frame while callers wait: to the nearest, the first asked among equals. */
async function pump(): Promise<void> {
  while (waiting.length > 0) {
    await nextFrame();
    let next = 0;
    let nearest = Infinity;
    waiting.forEach(([, element], i) => {
      const distance = viewportDistance(element);
      if (distance < nearest) [next, nearest] = [i, distance];
    });
    waiting.splice(next, 1)[0]![0]();
  }
}

/**
 * Resolves when it is this caller's turn: one turn per frame, the element nearest the viewport
 * first (see above), in the order asked among equals.
 */
export function readySlot(element?: Element): Promise<void> {
  return new Promise((resolve) => {
    // The first caller to wait starts the turns; they stop when nobody waits.
    if (waiting.push([resolve, element]) === 1) void pump();
  });
}
