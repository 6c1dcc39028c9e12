/**
 * Figures are readied one per frame, from a queue, as Distill's are: a section of eight figures,
 * or a page of them, appearing at once draws them one after another, each in a task of its own,
 * so none blocks the page for long and the first appears as soon as it can.
 */
let tail: Promise<void> = Promise.resolve();

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

/** Resolves when it is this caller's turn: one turn per frame, in the order asked. */
export function readySlot(): Promise<void> {
  const slot = tail.then(nextFrame);
  tail = slot;
  return slot;
}
