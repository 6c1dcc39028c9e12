import { html, LitElement, nothing, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import { groupedBars } from './bars.ts';
import {
  formatExact,
  formatTick,
  prepareChartData,
  undrawnNote,
  type ChartData,
  type PreparedChartData,
} from './chart-data.ts';
import { chartToCsv, chartToJson, download, fileStem, heatmapToCsv } from './chart-export.ts';
import { gradChartStyles } from './grad-chart.styles.ts';
import {
  columnSpan,
  divergingColour,
  heatColour,
  layoutHeatmap,
  type HeatLayout,
} from './heatmap.ts';

/**
 * Log axes span whole decades, computed here: uPlot's own log ticks cover 1e-32 to 1e31 only, and
 * vanishing gradients reach far below (sigmoid at 50 layers: 1e-31; subnormals: 1e-323).
 */
function decadeRange(min: number | null, max: number | null): [number, number] {
  if (min === null || max === null || !(min > 0) || !(max > 0)) return [0.1, 10];
  const lo = Math.max(-323, Math.floor(Math.log10(min)));
  const hi = Math.min(308, Math.max(lo + 1, Math.ceil(Math.log10(max))));
  return [Number(`1e${lo}`), Number(`1e${hi}`)];
}

function decadeSplits(_u: uPlot, _axis: number, min: number, max: number): number[] {
  const lo = Math.round(Math.log10(min));
  const hi = Math.round(Math.log10(max));
  const step = Math.max(1, Math.ceil((hi - lo) / 8));
  const splits: number[] = [];
  for (let e = lo; e <= hi; e += step) splits.push(Number(`1e${e}`));
  return splits;
}

/** Series colours when the page sets no --grad-series-N: distinct in light and dark themes. */
const LIGHT_SERIES = ['#c0392b', '#2471a3', '#239b56', '#b9770e', '#7d3c98', '#17a589'];
const DARK_SERIES = ['#ff7b72', '#79c0ff', '#7ee787', '#e3b341', '#d2a8ff', '#56d4dd'];

const INTEGER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

/**
 * The one component that wraps uPlot: lines or grouped bars over columnar data, optionally on log
 * axes, optionally over a heat-map (one column of cells per x value). Values it cannot draw
 * (non-finite, or ≤ 0 on a log axis) become gaps, and a note under the chart counts them, so an
 * exploding network never shows as a blank or misleading chart. The legend reads exact values
 * under the cursor; buttons export the data as CSV and JSON and the image as PNG.
 *
 * @summary A labelled uPlot chart with CSV, JSON and PNG export.
 * @csspart chart - The element uPlot draws into.
 * @csspart note - The note about values that could not be drawn.
 * @csspart toolbar - The export buttons.
 * @slot caption - Shown under the title, above the chart (e.g. the formula drawn).
 * @cssproperty --grad-series-1 - Colour of the first series (…-6 for the sixth).
 * @cssproperty --grad-fg - Axis and text colour.
 * @cssproperty --grad-bg - Background of exported images.
 * @cssproperty --grad-error - Colour of non-finite heat-map cells and the note.
 */
export class GradChart extends LitElement {
  static override styles = gradChartStyles;
  static override properties = {
    data: { attribute: false },
    chartTitle: { attribute: 'chart-title' },
    xLabel: { attribute: 'x-label' },
    yLabel: { attribute: 'y-label' },
    logY: { type: Boolean, attribute: 'log-y' },
    logX: { type: Boolean, attribute: 'log-x' },
    kind: {},
    exportName: { attribute: 'export-name' },
    yMin: { type: Number, attribute: 'y-min' },
    yMax: { type: Number, attribute: 'y-max' },
  };

  declare data: ChartData | null;
  declare chartTitle: string;
  declare xLabel: string;
  declare yLabel: string;
  declare logY: boolean;
  declare logX: boolean;
  /** 'line' (default) or 'bars' (grouped bars, for categorical x). */
  declare kind: 'line' | 'bars';
  /** File-name stem for exports; derived from the title when empty. */
  declare exportName: string;
  /** A fixed y range (e.g. 0 and 1 for fractions); the data's range where unset. */
  declare yMin: number | undefined;
  declare yMax: number | undefined;

  private plot: uPlot | null = null;
  private prepared: PreparedChartData | null = null;
  private heat: HeatLayout | null = null;
  private resizeObserver: ResizeObserver | null = null;

  constructor() {
    super();
    this.data = null;
    this.chartTitle = '';
    this.xLabel = '';
    this.yLabel = '';
    this.logY = false;
    this.logX = false;
    this.kind = 'line';
    this.exportName = '';
  }

  /** The columns last drawn ([xs, ...ys], gaps as null): for tests, exports and readers. */
  get drawnColumns(): (number | null)[][] {
    return this.prepared?.columns ?? [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver = new ResizeObserver(() => this.plot?.setSize(this.size()));
    this.resizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
    this.plot?.destroy();
    this.plot = null;
  }

  private size(): { width: number; height: number } {
    const width = Math.max(200, Math.floor(this.getBoundingClientRect().width) || 480);
    return { width, height: Math.round(Math.min(360, Math.max(200, width * 0.45))) };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('data') || changed.has('logY') || changed.has('logX')) {
      this.prepared = this.data ? prepareChartData(this.data, this.logY, this.logX) : null;
      this.heat = this.data?.heatmap ? layoutHeatmap(this.data.heatmap) : null;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    const target = this.renderRoot.querySelector<HTMLElement>('[part=chart]');
    if (!target || !this.data || !this.prepared) return;
    const structural =
      changed.has('logY') ||
      changed.has('logX') ||
      changed.has('kind') ||
      changed.has('yMin') ||
      changed.has('yMax') ||
      changed.has('xLabel') ||
      changed.has('yLabel');
    // The plot's hooks and ranges read the heat-map layout and x values when they run, so new
    // data of the same shape (a training heat-map one step longer) only needs setData.
    const sameSeries =
      this.plot &&
      !structural &&
      this.plotHasHeat === Boolean(this.heat) &&
      this.plot.series.length === this.data.series.length + 1 &&
      this.data.series.every((s, i) => this.plot!.series[i + 1]!.label === s.label);
    if (sameSeries) {
      this.plot!.setData(this.prepared.columns as uPlot.AlignedData);
      return;
    }
    this.plot?.destroy();
    this.plot = new uPlot(this.options(), this.prepared.columns as uPlot.AlignedData, target);
    this.plotHasHeat = Boolean(this.heat);
  }

  /** Whether the plot was made with a heat-map (its draw hook and ranges). */
  private plotHasHeat = false;

  /** The x values of the current data. */
  private get xs(): number[] {
    return Array.from(this.data?.x ?? []);
  }

  private options(): uPlot.Options {
    const data = this.data!;
    const style = getComputedStyle(this);
    // An author's --grad-series-N (inherited from the page) wins over the theme's palette.
    const palette = matchMedia('(prefers-color-scheme: dark)').matches ? DARK_SERIES : LIGHT_SERIES;
    const colour = (i: number) =>
      style.getPropertyValue(`--grad-series-${(i % 6) + 1}`).trim() || palette[i % 6]!;
    const axisColour = style.color;
    const bars = this.kind === 'bars';
    const hasHeat = Boolean(this.heat);
    const xs = Array.from(data.x);
    const yScale: uPlot.Scale = this.logY ? { distr: 3 } : {};
    if (hasHeat || this.logY || this.yMin !== undefined || this.yMax !== undefined) {
      yScale.range = (_u, min, max) => {
        let lo: number | null = min;
        let hi: number | null = max;
        const heat = this.heat;
        if (heat) {
          lo = Math.min(lo ?? heat.yMin, heat.yMin);
          hi = Math.max(hi ?? heat.yMax, heat.yMax);
        }
        if (this.logY) [lo, hi] = decadeRange(lo, hi);
        return [this.yMin ?? lo ?? 0, this.yMax ?? hi ?? 1];
      };
    }
    const xScale: uPlot.Scale = {
      time: false,
      ...(this.logX ? { distr: 3, range: (_u, min, max) => decadeRange(min, max) } : {}),
    };
    if (bars || hasHeat) {
      xScale.range = () => {
        const now = this.xs;
        return [columnSpan(now, 0)[0], columnSpan(now, now.length - 1)[1]];
      };
    }
    const errorColour = style.getPropertyValue('--grad-error').trim() || '#b00020';
    return {
      ...this.size(),
      scales: { x: xScale, y: yScale },
      legend: { live: true },
      cursor: { points: { show: !bars } },
      axes: [
        {
          label: this.xLabel,
          stroke: axisColour,
          values: (_plot: uPlot, splits: number[]) => splits.map(formatTick),
          // Layers, depths and steps are counts: no ticks between them.
          ...(xs.every(Number.isInteger) && !this.logX ? { incrs: INTEGER_STEPS } : {}),
          ...(this.logX ? { splits: decadeSplits } : {}),
          ...(bars ? { splits: () => this.xs } : {}),
        },
        {
          label: this.yLabel,
          stroke: axisColour,
          size: 70,
          ...(this.logY ? { splits: decadeSplits } : {}),
          values: (_plot: uPlot, splits: number[]) => splits.map(formatTick),
        },
      ],
      series: [
        { label: this.xLabel || 'x', value: (_u: uPlot, v: number | null) => formatExact(v) },
        ...data.series.map((s, i) => {
          const stroke = s.color ?? colour(i);
          return {
            label: s.label,
            stroke,
            width: bars ? 0 : 2,
            value: (_u: uPlot, v: number | null) => formatExact(v),
            ...(bars
              ? {
                  fill: stroke,
                  paths: groupedBars(data.series.length, this.logY),
                  points: { show: false },
                }
              : { points: { show: () => this.xs.length <= 60, size: 5 }, spanGaps: false }),
          };
        }),
      ],
      hooks: hasHeat
        ? {
            drawClear: [
              (u: uPlot) => {
                const heat = this.heat;
                if (!heat) return;
                const columns = this.xs;
                const diverging = Boolean(this.data?.heatmap?.diverging);
                const ctx = u.ctx;
                ctx.save();
                ctx.beginPath();
                ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
                ctx.clip();
                for (const cell of heat.cells) {
                  const [x0, x1] = columnSpan(columns, cell.column);
                  const left = u.valToPos(x0, 'x', true);
                  const right = u.valToPos(x1, 'x', true);
                  const top = u.valToPos(cell.hi, 'y', true);
                  const bottom = u.valToPos(cell.lo, 'y', true);
                  ctx.fillStyle =
                    cell.intensity === null
                      ? errorColour
                      : diverging
                        ? divergingColour(cell.intensity)
                        : heatColour(cell.intensity);
                  ctx.fillRect(
                    Math.min(left, right),
                    Math.min(top, bottom),
                    // A hairline between wide columns (layers); none between narrow ones (steps).
                    Math.abs(right - left) > 8
                      ? Math.abs(right - left) - 1
                      : Math.max(1, Math.abs(right - left) + 0.5),
                    // A layer whose values are (nearly) all equal still shows as a visible band.
                    Math.max(3, Math.abs(bottom - top)),
                  );
                }
                ctx.restore();
              },
            ],
          }
        : {},
    };
  }

  private stem(): string {
    return this.exportName || fileStem(this.chartTitle || this.yLabel);
  }

  private meta() {
    return { title: this.chartTitle, xLabel: this.xLabel, yLabel: this.yLabel };
  }

  private exportCsv(): void {
    if (!this.data) return;
    download(
      new Blob([chartToCsv(this.data, this.meta())], { type: 'text/csv' }),
      `${this.stem()}.csv`,
    );
    if (this.data.heatmap) {
      download(
        new Blob([heatmapToCsv(this.data, this.meta())], { type: 'text/csv' }),
        `${this.stem()}-heatmap.csv`,
      );
    }
  }

  private exportJson(): void {
    if (!this.data) return;
    download(
      new Blob([chartToJson(this.data, this.meta())], { type: 'application/json' }),
      `${this.stem()}.json`,
    );
  }

  /** The chart as drawn, with its title and legend, on the theme's background. */
  private exportPng(): void {
    const plot = this.plot;
    if (!plot) return;
    const source = plot.ctx.canvas;
    const ratio = source.width / plot.width;
    const style = getComputedStyle(this);
    const font = `${14 * ratio}px ${style.fontFamily || 'sans-serif'}`;
    const legend = plot.series.slice(1).map((s) => String(s.label ?? ''));
    const lineHeight = 20 * ratio;
    const canvas = document.createElement('canvas');
    canvas.width = source.width;
    canvas.height = source.height + lineHeight * (2 + Math.ceil(legend.length / 3));
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle =
      style.getPropertyValue('--grad-bg').trim() ||
      (matchMedia('(prefers-color-scheme: dark)').matches ? '#0d1117' : '#ffffff');
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = style.color;
    ctx.font = `600 ${font}`;
    ctx.fillText(this.chartTitle || this.yLabel, 8 * ratio, lineHeight * 0.8);
    ctx.drawImage(source, 0, lineHeight);
    ctx.font = font;
    legend.forEach((label, i) => {
      const x = 8 * ratio + (i % 3) * (canvas.width / 3);
      const y = lineHeight + source.height + lineHeight * (0.9 + Math.floor(i / 3));
      const stroke = plot.series[i + 1]!.stroke;
      ctx.fillStyle =
        typeof stroke === 'function'
          ? (stroke(plot, i + 1) as string)
          : String(stroke ?? style.color);
      ctx.fillRect(x, y - 10 * ratio, 14 * ratio, 4 * ratio);
      ctx.fillStyle = style.color;
      ctx.fillText(label, x + 20 * ratio, y);
    });
    canvas.toBlob((blob) => {
      if (blob) download(blob, `${this.stem()}.png`);
    }, 'image/png');
  }

  override render(): unknown {
    const notes = [this.prepared ? undrawnNote(this.prepared) : ''];
    if (this.heat && this.heat.nonFinite > 0) {
      notes.push(`${this.heat.nonFinite} non-finite heat-map cells drawn in the error colour.`);
    }
    const note = notes.filter(Boolean).join(' ');
    const heatmap = this.data?.heatmap;
    const sharedRange = heatmap?.diverging ? undefined : heatmap?.colorRange;
    return html`<figure role="figure" aria-label=${this.chartTitle || this.yLabel}>
      ${this.chartTitle ? html`<figcaption>${this.chartTitle}</figcaption>` : nothing}
      <slot name="caption"></slot>
      <div part="chart"></div>
      ${
        heatmap
          ? html`<p class="scale">
              <span class="ramp" aria-hidden="true"></span>
              Shading: ${heatmap.label},
              ${heatmap.logColor ? 'log scale, ' : ''}${
                sharedRange
                  ? `from ${formatExact(sharedRange.min)} to ${formatExact(sharedRange.max)}, a scale shared with other charts.`
                  : `from none to the ${heatmap.normalize === 'global' ? 'largest value' : 'largest value in each column'}.`
              }
            </p>`
          : nothing
      }
      ${note ? html`<p class="note" part="note" role="note">${note}</p>` : nothing}
      ${
        this.data
          ? html`<div
              class="toolbar"
              part="toolbar"
              role="group"
              aria-label="export ${this.chartTitle || this.yLabel}"
            >
              <button type="button" @click=${this.exportCsv}>CSV</button>
              <button type="button" @click=${this.exportJson}>JSON</button>
              <button type="button" @click=${this.exportPng}>PNG</button>
            </div>`
          : nothing
      }
    </figure>`;
  }
}
