/**
 * The embeddable library's loader (dist/lib/gradlab.js): one small module that knows every
 * gradlab element and imports an element's code only when such an element is on the page and
 * within about two viewport heights of being seen (as Distill's figures are readied). The code
 * arrives as relative, same-origin chunks beside this file, so a site copies the folder and one
 * script tag suffices. Until its code arrives, a chart figure's box is reserved at its width ÷
 * aspect, so nothing below it moves.
 *
 * It touches no window, document or navigator at import time outside a browser: in Node or during
 * server-side rendering, importing it does nothing.
 */
import { DEFAULT_ASPECT, parseAspect } from '../ui/figure/aspect.ts';
import { loadFigureControls } from '../ui/figure/figure-controls.ts';
import { watchNear } from '../ui/figure/near-viewport.ts';
import { ELEMENT_TAGS, ELEMENTS, type ElementTag } from './registry.ts';

export { ELEMENT_TAGS };
export type { ElementTag };

/** The tags the library defines (the name embed pages and older docs use). */
export const WIDGET_TAGS: readonly string[] = ELEMENT_TAGS;

const loads = new Map<ElementTag, Promise<void>>();
const watched = new WeakSet<Element>();
const SELECTOR = ELEMENT_TAGS.join(',');

const isElementTag = (tag: string): tag is ElementTag => Object.hasOwn(ELEMENTS, tag);

/** Imports an element's code now (once), whether or not one is on the page. */
export function load(tag: ElementTag): Promise<void> {
  let pending = loads.get(tag);
  if (!pending) {
    pending = ELEMENTS[tag].load().then(() => undefined);
    loads.set(tag, pending);
  }
  return pending;
}

/** Watches one element: its code is imported when it comes near the viewport. */
function consider(element: Element): void {
  const tag = element.localName;
  if (!isElementTag(tag) || watched.has(element) || customElements.get(tag)) return;
  watched.add(element);
  const aspect = parseAspect(element.getAttribute('aspect') ?? '');
  if (aspect !== undefined && aspect !== DEFAULT_ASPECT && element instanceof HTMLElement) {
    element.style.setProperty('--grad-aspect', String(aspect));
  }
  // A section (a long composition of figures) loads half a viewport ahead of the reader; a figure
  // two viewports ahead, as Distill's do.
  const margin = ELEMENTS[tag].shape === 'section' ? SECTION_MARGIN : undefined;
  const stop = watchNear(
    element,
    (near) => {
      if (!near) return;
      queueMicrotask(stop);
      // The controls travel beside the element's code where it will show some (a section's
      // figures do), so they are there for its first drawing.
      if (ELEMENTS[tag].shape === 'section' || element.getAttribute('controls') !== 'none') {
        void loadFigureControls();
      }
      load(tag).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        element.setAttribute('data-gradlab-error', `could not load ${tag} (${message})`);
        console.error(`gradlab: could not load ${tag}:`, error);
      });
    },
    margin,
  );
}

/** How far ahead of the reader a section's code loads: half a viewport. */
const SECTION_MARGIN = '50% 0px';

/**
 * Watches a document or shadow root: gradlab elements in it now or added later load as they come
 * near. The lab calls this for its own shadow root.
 */
export function observe(root: Document | ShadowRoot): void {
  for (const element of root.querySelectorAll(SELECTOR)) consider(element);
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (!(node instanceof Element)) continue;
        consider(node);
        for (const element of node.querySelectorAll(SELECTOR)) consider(element);
      }
    }
  }).observe(root, { childList: true, subtree: true });
}

/**
 * Boxes for elements whose code has not arrived: a chart figure's is its width ÷ aspect (at
 * least 15rem tall), as the figure's own frame will be; an element that failed to load says so.
 */
function placeholderStyles(): CSSStyleSheet {
  const charts = ELEMENT_TAGS.filter((tag) => ELEMENTS[tag].shape === 'chart').join(',');
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`
    :is(${SELECTOR}):not(:defined) { display: block; }
    :is(${charts}):not(:defined) {
      aspect-ratio: var(--grad-aspect, ${DEFAULT_ASPECT});
      min-height: 15rem;
      width: 100%;
      overflow: hidden;
    }
    :is(${SELECTOR})[data-gradlab-error]::before {
      content: 'gradlab: ' attr(data-gradlab-error);
      color: #b00020;
    }
  `);
  return sheet;
}

function start(): void {
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, placeholderStyles()];
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => observe(document), { once: true });
  } else observe(document);
}

const inBrowser = typeof document !== 'undefined' && typeof customElements !== 'undefined';
if (inBrowser) start();

/** Resolves once the loader watches the page (at once where there is no DOM). */
export const ready: Promise<void> = Promise.resolve();
