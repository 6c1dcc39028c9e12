import { css, unsafeCSS } from 'lit';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';

export const gradChartStyles = [
  // uPlot's own stylesheet must live inside the shadow root to reach its elements.
  unsafeCSS(uplotCss),
  css`
    :host {
      display: block;
      color: var(--grad-fg, #1b1f24);
    }
    figure {
      margin: 0;
    }
    figcaption {
      font-weight: 600;
      margin-bottom: 0.25rem;
    }
    .toolbar {
      display: flex;
      gap: 0.25rem;
      justify-content: flex-end;
    }
    .toolbar button {
      font: inherit;
      font-size: 0.75rem;
      padding: 0.1rem 0.5rem;
      cursor: pointer;
    }
    .scale {
      font-size: 0.8rem;
      margin: 0.25rem 0;
      display: flex;
      align-items: center;
      gap: 0.5rem;
    }
    .ramp {
      display: inline-block;
      width: 5rem;
      height: 0.6rem;
      background: linear-gradient(to right, #440154, #3b528b, #21918c, #5ec962, #fde725);
    }
    .ramp.diverging {
      background: linear-gradient(to right, #2166ac, #92c5de, #e6e6e6, #f4a582, #b2182b);
    }
    .u-legend {
      font-size: 0.8rem;
    }
    .note {
      font-size: 0.85rem;
      color: var(--grad-error, #b00020);
    }
    @media (prefers-color-scheme: dark) {
      :host {
        color: var(--grad-fg, #e6edf3);
      }
    }
  `,
];
