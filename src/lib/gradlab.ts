/**
 * The embeddable library (dist/lib/gradlab.js): one self-contained ES module that defines every
 * gradlab element. It touches no window, document or navigator at import time: in Node or during
 * server-side rendering, importing it does nothing (the elements need a DOM); in a browser it
 * defines the elements, which start working once they are in a page.
 */
export { WIDGET_TAGS } from '../ui/lab/widgets.ts';

/** Resolves once the elements are defined (at once where there is no DOM to define them in). */
export const ready: Promise<void> =
  typeof HTMLElement === 'undefined' || typeof customElements === 'undefined'
    ? Promise.resolve()
    : import('../ui/grad-lab/define.ts').then(() => undefined);
