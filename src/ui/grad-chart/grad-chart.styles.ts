import { css } from 'lit';
import { token } from '../design/tokens.ts';

/**
 * The part of uPlot's stylesheet that the chart uses (its legend is replaced by the chart's own),
 * inside the shadow root where it reaches uPlot's elements.
 */
const uplotStyles = css`
  .uplot,
  .uplot *,
  .uplot *::before,
  .uplot *::after {
    box-sizing: border-box;
  }
  .uplot {
    line-height: 1.5;
    width: min-content;
  }
  .u-wrap {
    position: relative;
    user-select: none;
  }
  .u-over,
  .u-under,
  .u-axis,
  .u-select {
    position: absolute;
  }
  .u-under {
    overflow: hidden;
  }
  .uplot canvas {
    display: block;
    position: relative;
    width: 100%;
    height: 100%;
  }
  .u-select {
    background: rgba(127, 127, 127, 0.15);
    pointer-events: none;
  }
  .u-cursor-x,
  .u-cursor-y,
  .u-cursor-pt {
    position: absolute;
    left: 0;
    top: 0;
    pointer-events: none;
    will-change: transform;
  }
  .u-hz .u-cursor-x,
  .u-vt .u-cursor-y {
    height: 100%;
    border-right: 1px dashed #607d8b;
  }
  .u-hz .u-cursor-y,
  .u-vt .u-cursor-x {
    width: 100%;
    border-bottom: 1px dashed #607d8b;
  }
  .u-cursor-pt {
    border-radius: 50%;
    border: 0 solid;
    background-clip: padding-box !important;
  }
  .u-axis.u-off,
  .u-select.u-off,
  .u-cursor-x.u-off,
  .u-cursor-y.u-off,
  .u-cursor-pt.u-off {
    display: none;
  }
`;

export const gradChartStyles = [
  uplotStyles,
  css`
    :host {
      display: block;
      color: ${token('fg')};
    }
    figure {
      margin: 0;
    }
    /* Framed: the whole figure is one box of the given aspect, reserved before it draws. */
    figure.framed {
      aspect-ratio: var(--aspect, 1.6);
      min-height: 15rem;
      /*
       * A definite width: else, where width ÷ aspect is under the minimum height, the ratio would
       * widen the box past its container to match that height.
       */
      width: 100%;
      min-width: 0;
      display: flex;
      flex-direction: column;
      overflow: hidden;
    }
    figure.framed .plot {
      flex: 1 1 auto;
      min-height: 0;
    }
    figure.framed [part='chart'] {
      position: absolute;
      inset: 0;
    }
    .plot {
      position: relative;
    }
    [part='chart']:focus-visible {
      outline: 2px solid ${token('accent')};
      outline-offset: 2px;
    }
    .status {
      position: absolute;
      inset: auto 0 0 4.5rem;
      pointer-events: none;
    }
    .status ::slotted(*) {
      pointer-events: auto;
    }
    .head {
      display: flex;
      align-items: baseline;
      justify-content: space-between;
      gap: 0.5rem;
    }
    figcaption {
      font-weight: 600;
      margin-bottom: 0.25rem;
      flex: 1 1 auto;
      min-width: 0;
    }
    /* Framed: a one-line caption (the whole text is its tooltip and accessible name). */
    figure.framed figcaption {
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .toolbar {
      display: flex;
      flex: none;
      gap: 0.25rem;
      justify-content: flex-end;
    }
    .legend {
      display: flex;
      flex-wrap: wrap;
      gap: 0.1rem 0.9rem;
      font-size: 0.8rem;
      line-height: 1.3;
      margin: 0 0 0.25rem;
      font-variant-numeric: tabular-nums;
    }
    figure.framed .legend {
      min-height: 1.3em;
    }
    .legend .entry {
      display: inline-flex;
      align-items: center;
      gap: 0.3rem;
      white-space: nowrap;
    }
    .legend .swatch {
      flex: none;
    }
    .legend .value,
    .legend .readout {
      font-weight: 600;
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
    .note {
      font-size: 0.85rem;
      color: ${token('error')};
    }
  `,
];
