/**
 * Formulas in Lit templates: TeX from the engine's activation table, rendered by the browser as
 * MathML Core (no fonts or layout code shipped). The MathML was converted from the TeX once, by
 * tex-to-mathml.ts at `npm run formulas` (formulas.generated.ts), so pages ship the markup and
 * not the converter.
 */
import { css, html, type TemplateResult } from 'lit';
import { unsafeMathML } from 'lit/directives/unsafe-mathml.js';
import { FORMULAS } from './formulas.generated.ts';
import type { MathDisplay } from './tex-to-mathml.ts';

/**
 * A `<math>` element for `tex`, one of the activation table's formulas. The markup is trusted
 * because every character of text in it was escaped by the converter, which rejects anything
 * outside its TeX subset. A formula that was not converted is an error of the build: run
 * `npm run formulas`.
 */
export function mathFormula(tex: string, display: MathDisplay = 'inline'): TemplateResult {
  const content = FORMULAS.get(tex);
  if (content === undefined) {
    throw new Error(`no MathML for ${JSON.stringify(tex)}: run \`npm run formulas\``);
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
