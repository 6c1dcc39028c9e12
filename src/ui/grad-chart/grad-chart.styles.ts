import { css, unsafeCSS } from 'lit';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';

export const gradChartStyles = [
  // uPlot's own stylesheet must live inside the shadow root to reach its elements.
  unsafeCSS(uplotCss),
  css`
    :host {
      display: block;
      color: var(--grad-fg, #1b1f24);
      --grad-series-1: #c0392b;
      --grad-series-2: #2471a3;
      --grad-series-3: #239b56;
      --grad-series-4: #b9770e;
      --grad-series-5: #7d3c98;
      --grad-series-6: #17a589;
    }
    figure {
      margin: 0;
    }
    figcaption {
      font-weight: 600;
      margin-bottom: 0.25rem;
    }
    .note {
      font-size: 0.85rem;
      color: var(--grad-error, #b00020);
    }
    @media (prefers-color-scheme: dark) {
      :host {
        color: var(--grad-fg, #e6edf3);
        --grad-series-1: #ff7b72;
        --grad-series-2: #79c0ff;
        --grad-series-3: #7ee787;
        --grad-series-4: #e3b341;
        --grad-series-5: #d2a8ff;
        --grad-series-6: #56d4dd;
      }
    }
  `,
];
