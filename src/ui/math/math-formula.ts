/**
 * Formulas in Lit templates: TeX from the engine's tables, rendered by the browser as MathML Core
 * (no fonts or layout code shipped; see tex-to-mathml.ts).
 */
import { css, html, type TemplateResult } from 'lit';
import { unsafeMathML } from 'lit/directives/unsafe-mathml.js';
import { texToMathMLContent, type MathDisplay } from './tex-to-mathml.ts';

/** Converted formulas, by TeX source: the inputs are a fixed set of table entries. */
const converted = new Map<string, string>();

/**
 * A `<math>` element for `tex`. The markup is trusted because every character of text in it is
 * escaped by the converter, and the converter rejects anything outside its TeX subset.
 */
export function mathFormula(tex: string, display: MathDisplay = 'inline'): TemplateResult {
  let content = converted.get(tex);
  if (content === undefined) {
    content = texToMathMLContent(tex);
    converted.set(tex, content);
  }
  return html`<math display=${display}>${unsafeMathML(content)}</math>`;
}

/** Styles a component that shows formulas adds to its own. */
export const mathStyles = css`
  math {
    font-size: 1.1em;
  }
  math[display='block'] {
    margin: 0.25rem 0;
    /* A long formula scrolls rather than widening the page on a phone. */
    overflow-x: auto;
    max-width: 100%;
  }
  /* The value and condition columns of a cases block start at their left edge, as in TeX. */
  mtd[columnalign='left'] {
    text-align: left;
  }
`;
