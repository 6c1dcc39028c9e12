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

/** One observer per margin, shared by every element watched with it. */
interface Watcher {
  readonly observer: IntersectionObserver;
  readonly listeners: Map<Element, Set<Listener>>;
  readonly nearNow: WeakMap<Element, boolean>;
}

const watchers = new Map<string, Watcher>();

function watcher(margin: string): Watcher {
  let found = watchers.get(margin);
  if (!found) {
    const listeners = new Map<Element, Set<Listener>>();
    const nearNow = new WeakMap<Element, boolean>();
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          nearNow.set(entry.target, entry.isIntersecting);
          for (const listener of listeners.get(entry.target) ?? []) listener(entry.isIntersecting);
        }
      },
      { rootMargin: margin },
    );
    found = { observer, listeners, nearNow };
    watchers.set(margin, found);
  }
  return found;
}

/**
 * Calls `listener` with true when `element` comes within `margin` of the viewport (two viewport
 * heights unless given) and false when it goes further, starting with its first state; returns
 * the function that stops watching.
 */
export function watchNear(
  element: Element,
  listener: Listener,
  margin: string = NEAR_MARGIN,
): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    listener(true);
    return () => {};
  }
  const { observer, listeners, nearNow } = watcher(margin);
  let set = listeners.get(element);
  if (!set) {
    set = new Set();
    listeners.set(element, set);
    observer.observe(element);
  } else if (nearNow.has(element)) listener(nearNow.get(element)!);
  set.add(listener);
  return () => {
    const current = listeners.get(element);
    if (!current?.delete(listener) || current.size > 0) return;
    listeners.delete(element);
    observer.unobserve(element);
  };
}
