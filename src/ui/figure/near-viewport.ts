/**
 * Whether an element is near the reader: within about two viewport heights of being seen, as
 * Distill's figures count it. The loader imports a figure's code when it comes near; a figure
 * starts its runs then, and pauses long work (sweeps, training) while it is far away. One
 * IntersectionObserver serves the whole page. Where there is none (Node, very old browsers),
 * everything counts as near.
 */

/** Two viewport heights above and below: rootMargin percentages are of the viewport's size. */
export const NEAR_MARGIN = '200% 0px';

type Listener = (near: boolean) => void;

const listeners = new Map<Element, Set<Listener>>();
const nearNow = new WeakMap<Element, boolean>();
let observer: IntersectionObserver | null = null;

function sharedObserver(): IntersectionObserver {
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        nearNow.set(entry.target, entry.isIntersecting);
        for (const listener of listeners.get(entry.target) ?? []) listener(entry.isIntersecting);
      }
    },
    { rootMargin: NEAR_MARGIN },
  );
  return observer;
}

/**
 * Calls `listener` with true when `element` comes near and false when it goes far, starting with
 * its first state; returns the function that stops watching.
 */
export function watchNear(element: Element, listener: Listener): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    listener(true);
    return () => {};
  }
  let set = listeners.get(element);
  if (!set) {
    set = new Set();
    listeners.set(element, set);
    sharedObserver().observe(element);
  } else if (nearNow.has(element)) listener(nearNow.get(element)!);
  set.add(listener);
  return () => {
    const current = listeners.get(element);
    if (!current?.delete(listener) || current.size > 0) return;
    listeners.delete(element);
    observer?.unobserve(element);
  };
}
