/**
 * Registers a figure element once (a page may load the library and the lab, or one element's
 * module twice), together with the chart wrapper it draws with.
 */
import '../grad-chart/define.ts';

export function defineFigure(tag: string, figure: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, figure);
}
