/**
 * A figure's Embed panel: the snippet that puts the figure, as configured, on another page, and
 * in the lab its deep link. Only figures with `export` offer it, and a reader opens it rarely, so
 * GradFigure imports this module on the first click.
 */
import { html, nothing } from 'lit';
import { insideLab } from '../lab/inside-lab.ts';

/** What the panel reads of a figure (GradFigure). */
export interface EmbedSource extends HTMLElement {
  embedAttributes(): [string, string][];
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** The element as a page would write it: its tag and the attributes of its current view. */
export function embedSnippet(figure: EmbedSource): string {
  const attributes = [...figure.embedAttributes(), ['controls', 'none']]
    .map(([name, value]) => ` ${name}="${escapeAttribute(value!)}"`)
    .join('');
  return `<${figure.localName}${attributes}></${figure.localName}>`;
}

/**
 * In the lab, the figure's address: the page with its settings, `#part/figure` (the figure by
 * its data-link, else its tag; grad-lab opens it there). Null outside the lab.
 */
export function deepLink(figure: HTMLElement): string | null {
  if (!insideLab(figure)) return null;
  const up = (element: Element): Element | null => {
    const root = element.getRootNode();
    return element.parentElement ?? (root instanceof ShadowRoot ? root.host : null);
  };
  let node = up(figure);
  while (node && !(node.localName === 'section' && node.classList.contains('part') && node.id)) {
    node = up(node);
  }
  if (!node) return null;
  const name = figure.dataset.link ?? figure.localName;
  return `${location.origin}${location.pathname}${location.search}#${node.id}/${name}`;
}

/** The open panel: the script tag and snippet to copy, and the deep link in the lab. */
export function embedPanel(figure: EmbedSource, close: () => void): unknown {
  const snippet =
    `<script type="module" src="https://YOUR-SITE/gradlab/gradlab.js"></script>\n` +
    embedSnippet(figure);
  const link = deepLink(figure);
  return html`<div class="embed-panel" role="dialog" aria-label="embed this figure">
    <p>
      Copy the folder <code>dist/lib/</code> (from <code>npm run build</code>) to your site, then
      paste:
    </p>
    <pre><code data-testid="embed-snippet">${snippet}</code></pre>
    <button type="button" @click=${() => void navigator.clipboard?.writeText(snippet)}>Copy</button>
    <button type="button" @click=${close}>Close</button>
    ${
      link
        ? html`<p>Link to this figure in the lab, with its settings:</p>
            <pre><code data-testid="deep-link">${link}</code></pre>`
        : nothing
    }
  </div>`;
}
