import { html, LitElement, nothing, svg, type PropertyValues } from 'lit';
import type uPlot from 'uplot';
import {
  formatExact,
  formatTick,
  prepareChartData,
  undrawnNote,
  type ChartData,
  type PreparedChartData,
} from './chart-data.ts';
import { isDark, seriesColour } from '../design/palette.ts';
import { readySlot } from '../figure/ready-queue.ts';
import { gradChartStyles } from './grad-chart.styles.ts';
import type { HeatLayout } from './heatmap.ts';
import { nextTask } from '../figure/ready-queue.ts';

/** uPlot, once the first chart on the page has loaded it (loadUPlot). */
let uplotClass: typeof uPlot | null = null;
let uplotLoading: Promise<typeof uPlot> | null = null;

/** The fonts of a chart, from its style: its ticks, and its axis titles and direct labels. */
function chartFonts(style: CSSStyleDeclaration): { ticks: string; labels: string } {
  const family = style.fontFamily || 'sans-serif';
  return { ticks: `12px ${family}`, labels: `600 12px ${family}` };
}

/** The context that measures labels (made ready by loadUPlot). */
let measureContext: CanvasRenderingContext2D | null = null;

/**
 * uPlot, imported when the first chart on the page has data to draw, after what the page's first
 * plot costs the browser once: a 2D canvas that has drawn text in the
 * chart's fonts (5–20 ms the first time), in a task of its own. Apart, neither that, nor uPlot's
 * evaluation (30–45 ms on a two-core machine), nor the first plot's two halves (createPlot) holds
 * the page over 50 ms. uPlot's own Intl objects, which cost more (30–65 ms), are made lazy by the
 * build (scripts/uplot-lazy-intl.mjs), and the charts never use them.
 */
function loadUPlot(fonts: readonly string[]): Promise<typeof uPlot> {
  uplotLoading ??= nextTask()
    .then(() => {
      const context = (measureContext ??= document.createElement('canvas').getContext('2d'));
      for (const font of context ? fonts : []) {
        context!.font = font;
        context!.fillText('0123456789', 0, 0, context!.measureText('0').width);
      }
    })
    .then(nextTask)
    .then(() => import('uplot'))
    .then((module) => (uplotClass = module.default));
  return uplotLoading;
}

type ChartLayers = typeof import('./chart-layers.ts');
/** Heat-maps and bars (chart-layers.ts), once some chart on the page has needed them. */
let layers: ChartLayers | null = null;
let layersLoading: Promise<ChartLayers> | null = null;

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

/** Direct labels at the lines' ends: for line charts of at most six series, wide enough to read. */
function directLabels(data: ChartData, barsOrHeat: boolean, width: number): boolean {
  return !barsOrHeat && data.series.length <= 6 && data.series.length > 0 && width >= 360;
}

/** The widest series label in `font`, in CSS pixels (at most a third of a typical chart). */
function labelWidth(data: ChartData, font: string): number {
  measureContext ??= document.createElement('canvas').getContext('2d');
  if (!measureContext) return 80;
  measureContext.font = font;
  const widest = Math.max(...data.series.map((s) => measureContext!.measureText(s.label).width));
  return Math.min(160, Math.ceil(widest));
}

/**
 * Each series' label beside its last drawn point, in its colour, nudged apart vertically where
 * two would overlap (so every label stays readable and next to its line).
 */
function drawLabels(u: uPlot, font: string): void {
  const ratio = devicePixelRatio || 1;
  const ctx = u.ctx;
  const xs = u.data[0] as number[];
  const labels: { y: number; x: number; text: string; colour: string }[] = [];
  u.series.forEach((series, i) => {
    if (i === 0 || !series.show) return;
    const ys = u.data[i] as (number | null)[];
    let last = ys.length - 1;
    while (last >= 0 && (ys[last] === null || ys[last] === undefined)) last--;
    if (last < 0) return;
    const stroke = typeof series.stroke === 'function' ? series.stroke(u, i) : series.stroke;
    labels.push({
      x: u.valToPos(xs[last]!, 'x', true) + 6 * ratio,
      y: u.valToPos(ys[last]!, 'y', true),
      text: String(series.label ?? ''),
      colour: String(stroke ?? ''),
    });
  });
  ctx.save();
  ctx.font = font.replace(/(\d+)px/, (_m, px: string) => `${Number(px) * ratio}px`);
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  // Nudge a label down only where it would overlap one already placed (lines that end at
  // different layers keep their labels beside their own ends).
  const gap = 13 * ratio;
  const placed: { x0: number; x1: number; y: number }[] = [];
  labels.sort((a, b) => a.y - b.y);
  for (const label of labels) {
    const x1 = label.x + ctx.measureText(label.text).width;
    for (const other of placed) {
      const across = label.x < other.x1 && other.x0 < x1;
      if (across && Math.abs(label.y - other.y) < gap) label.y = other.y + gap;
    }
    placed.push({ x0: label.x, x1, y: label.y });
    ctx.fillStyle = label.colour;
    ctx.fillText(label.text, label.x, label.y);
  }
  ctx.restore();
}

/**
 * A legend swatch: a short line (dashed for a dashed series) or a square (bars), drawn as SVG with
 * presentation attributes, so a strict style-src policy has nothing to refuse.
 */
function swatch(colour: string, bar: boolean, dashed = false): unknown {
  return bar
    ? svg`<svg class="swatch" width="11" height="11" aria-hidden="true"><rect width="11" height="11" rx="1" fill=${colour}></rect></svg>`
    : svg`<svg class="swatch" width="16" height="8" aria-hidden="true"><line x1="0" y1="4" x2="16" y2="4" stroke=${colour} stroke-width="2.5" stroke-dasharray=${dashed ? '4 2.5' : 'none'}></line></svg>`;
}

const INTEGER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

/**
 * The one component that wraps uPlot: lines or grouped bars over columnar data, optionally on log
 * axes, optionally over a heat-map (one column of cells per x value). Values it cannot draw
 * (non-finite, or ≤ 0 on a log axis) become gaps, and a note under the chart counts them, so an
 * exploding network never shows as a blank or misleading chart. A compact legend of swatches
 * reads exact values under the cursor; with `export`, buttons export the data as CSV and JSON and
 * the image as PNG.
 *
 * With `aspect` (width ÷ height), the chart is framed: caption, legend, plot and notes share one
 * box whose height is its width ÷ aspect (never under 15rem), reserved before anything is drawn,
 * so nothing below it moves when the data arrives. Without it, the plot's height follows its
 * width.
 *
 * @summary A labelled uPlot chart with a compact legend and CSV, JSON and PNG export.
 * @csspart chart - The element uPlot draws into.
 * @csspart legend - The legend: a swatch and a label per series, values under the cursor.
 * @csspart note - The note about values that could not be drawn.
 * @csspart toolbar - The export buttons.
 * @slot caption - Replaces the title line.
 * @slot actions - Further buttons beside the export buttons.
 * @slot status - Shown over the plot (progress, errors), without moving it.
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
    aspect: { type: Number },
    exportable: { type: Boolean, attribute: 'export' },
    cursorIndex: { state: true },
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
  /** Width ÷ height of the framed chart; unframed (height from width) when unset. */
  declare aspect: number | undefined;
  /** Whether the CSV, JSON and PNG buttons are shown. */
  declare exportable: boolean;
  /** The data index under the cursor, or null: the legend shows its values. */
  declare cursorIndex: number | null;

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
    this.exportable = false;
    this.cursorIndex = null;
  }

  /** The columns last drawn ([xs, ...ys], gaps as null): for tests, exports and readers. */
  get drawnColumns(): (number | null)[][] {
    return this.prepared?.columns ?? [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver = new ResizeObserver(() => {
      if (this.drawnPlot) this.drawnPlot.setSize(this.size());
      // A plot waiting for its box to be laid out (see createPlot) can be drawn now.
      else if (this.data) this.requestUpdate();
    });
    this.resizeObserver.observe(this);
    // A framed chart takes its plot's height from the box that CSS gives it.
    const area = this.renderRoot.querySelector?.('[part=chart]');
    if (area) this.resizeObserver.observe(area);
  }

  protected override firstUpdated(): void {
    this.resizeObserver?.observe(this.renderRoot.querySelector('[part=chart]')!);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
    this.plot?.destroy();
    this.plot = null;
  }

  /** Set while this chart waits for uPlot (the first plot of a page waits for it). */
  private uplotWait: Promise<void> | null = null;

  /** Waits for uPlot once, then redraws. */
  private awaitUPlot(): void {
    if (this.uplotWait) return;
    const { ticks, labels } = chartFonts(getComputedStyle(this));
    this.uplotWait = loadUPlot([ticks, labels]).then(() => {
      this.uplotWait = null;
      if (this.data) this.requestUpdate('data');
    });
  }

  private size(): { width: number; height: number } {
    if (this.aspect) {
      const box = this.renderRoot.querySelector('[part=chart]')?.getBoundingClientRect();
      return {
        width: Math.max(120, Math.floor(box?.width || this.getBoundingClientRect().width || 480)),
        height: Math.max(80, Math.floor(box?.height || 0) || 200),
      };
    }
    const width = Math.max(200, Math.floor(this.getBoundingClientRect().width) || 480);
    return { width, height: Math.round(Math.min(360, Math.max(200, width * 0.45))) };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!uplotClass && this.data) this.awaitUPlot();
    if (!layers && (this.kind === 'bars' || this.data?.heatmap)) {
      // Drawn once the heat-map and bar code has arrived (a moment, once per page).
      layersLoading ??= import('./chart-layers.ts').then((module) => (layers = module));
      void layersLoading.then(() => this.requestUpdate('data'));
    }
    if (changed.has('data') || changed.has('logY') || changed.has('logX')) {
      this.prepared = this.data ? prepareChartData(this.data, this.logY, this.logX) : null;
      if (this.cursorIndex !== null && this.cursorIndex >= (this.data?.x.length ?? 0)) {
        this.cursorIndex = null;
      }
      this.heat = this.data?.heatmap && layers ? layers.layoutHeatmap(this.data.heatmap) : null;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('aspect')) {
      // Through the CSSOM: a style attribute would break a strict style-src policy.
      const figure = this.renderRoot.querySelector<HTMLElement>('figure');
      figure?.style.setProperty('--aspect', this.aspect ? String(this.aspect) : '');
    }
    const target = this.renderRoot.querySelector<HTMLElement>('[part=chart]');
    const waiting =
      !uplotClass || (!layers && (this.kind === 'bars' || Boolean(this.data?.heatmap)));
    if (!target || !this.data || !this.prepared || waiting) {
      // No data (any more): nothing drawn, rather than the last data's chart.
      this.plot?.destroy();
      this.plot = null;
      return;
    }
    if (changed.has('aspect')) this.drawnPlot?.setSize(this.size());
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
      // A plot not drawn yet takes the latest data when it is (createPlot).
      this.drawnPlot?.setData(this.prepared.columns as uPlot.AlignedData);
      return;
    }
    // A chart's first plot waits its turn (figure/ready-queue.ts), so charts appearing together
    // are drawn one per frame; a plot rebuilt in place (new series, new axes) is drawn at once.
    if (!this.plot && !this.turnGranted) {
      this.plotTurn ??= readySlot(this).then(() => {
        this.plotTurn = null;
        this.turnGranted = true;
        this.requestUpdate('data');
      });
      return;
    }
    this.plot?.destroy();
    this.createPlot(target);
  }

  /** A pending turn to draw the first plot (see updated()). */
  private plotTurn: Promise<void> | null = null;
  /** Set once the chart has had its turn: from then on, plots are drawn at once. */
  private turnGranted = false;

  /**
   * Draws a new plot, now that it is this chart's turn, once its box has a size: a plot made in a
   * box not yet laid out would take a guessed size and then jump to the real one.
   */
  private createPlot(target: HTMLElement): void {
    if (this.aspect && target.getBoundingClientRect().width === 0) return;
    const columns = this.prepared!.columns as uPlot.AlignedData;
    this.plotDrawn = false;
    this.cellsDrawable = false;
    // Made now, laid out on the page a task later (in a framed chart, whose box is reserved: else
    // in the draw's task, so that nothing below moves meanwhile), drawn a task after that, and
    // brought up to date a task after that: each of these takes 5–40 ms for a page's first plot on
    // a two-core machine, so apart none holds the page over 50 ms. (The draw and the catch-up in
    // one task ran over 50 ms in 11 of 90 loads of a depth sweep, whose worker computes on the
    // other core meanwhile; apart, in 4 of 90. The layout and the draw together: 25–55 ms.)
    this.plot = new uplotClass!(this.options(), columns, (plot, draw) => {
      void nextTask()
        .then(() => {
          if (this.plot !== plot || !this.aspect) return;
          target.append(plot.root);
          plot.root.getBoundingClientRect();
          return nextTask();
        })
        .then(() => {
          if (this.plot !== plot) return;
          if (!plot.root.isConnected) target.append(plot.root);
          draw();
          this.plotDrawn = true;
          return nextTask();
        })
        .then(() => {
          if (this.plot !== plot) return;
          this.cellsDrawable = true;
          // What changed while it waited (each a full redraw): the data (same series; what
          // arrived after the draw went to the plot at once), and the box. A heat-map's cells,
          // left out of the first draw (heatHooks), are drawn by either, or by a redraw.
          const latest = this.prepared?.columns as uPlot.AlignedData | undefined;
          const changed = Boolean(latest && latest !== plot.data);
          if (changed) plot.setData(latest!);
          const { width, height } = this.size();
          if (width !== plot.width || height !== plot.height) plot.setSize({ width, height });
          else if (!changed && this.heat) plot.redraw(false, false);
        });
    });
    this.plotHasHeat = Boolean(this.heat);
  }

  /** Whether the plot has had its first draw (see createPlot). */
  private plotDrawn = false;

  /**
   * Whether the plot's draws include the heat-map's cells: from a task after its first draw
   * (createPlot), which uPlot makes in a microtask, after `plotDrawn` is set.
   */
  private cellsDrawable = false;

  /** The plot, once drawn: what resizes, the cursor and exports act on. */
  private get drawnPlot(): uPlot | null {
    return this.plotDrawn ? this.plot : null;
  }

  /** Whether the plot was made with a heat-map (its draw hook and ranges). */
  private plotHasHeat = false;

  /** The x values of the current data. */
  private get xs(): number[] {
    return Array.from(this.data?.x ?? []);
  }

  /**
   * The colour of series i: its own; else an author's --grad-series-<key> or --grad-series-N;
   * else the palette's hue for its quantity, or for its place.
   */
  private seriesColour(i: number, style: CSSStyleDeclaration): string {
    const series = this.data?.series[i];
    if (series?.color) return series.color;
    const byKey = series?.colorKey
      ? style.getPropertyValue(`--grad-series-${series.colorKey}`).trim()
      : '';
    const byPlace = style.getPropertyValue(`--grad-series-${i + 1}`).trim();
    return byKey || byPlace || seriesColour(series?.colorKey, i, isDark(style));
  }

  private options(): uPlot.Options {
    const data = this.data!;
    const style = getComputedStyle(this);
    const colour = (i: number) => this.seriesColour(i, style);
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
        return [layers!.columnSpan(now, 0)[0], layers!.columnSpan(now, now.length - 1)[1]];
      };
    }
    const errorColour = style.getPropertyValue('--grad-error').trim() || '#b00020';
    const size = this.size();
    const labelled = directLabels(data, bars || hasHeat, size.width);
    const fonts = chartFonts(style);
    const font = fonts.labels;
    return {
      ...size,
      // Room on the right for the labels at the lines' ends.
      ...(labelled
        ? { padding: [null, labelWidth(data, font) + 16, null, null] as uPlot.Padding }
        : {}),
      scales: { x: xScale, y: yScale },
      // The legend is this element's own (compact swatches, values under the cursor).
      legend: { show: false },
      cursor: { points: { show: !bars } },
      axes: [
        {
          label: this.xLabel,
          stroke: axisColour,
          font: fonts.ticks,
          labelFont: fonts.labels,
          values: (_plot: uPlot, splits: number[]) =>
            splits.map((value) => formatTick(value, this.logX)),
          // Layers, depths and steps are counts: no ticks between them.
          ...(xs.every(Number.isInteger) && !this.logX ? { incrs: INTEGER_STEPS } : {}),
          ...(this.logX ? { splits: decadeSplits } : {}),
          ...(bars ? { splits: () => this.xs } : {}),
        },
        {
          label: this.yLabel,
          stroke: axisColour,
          font: fonts.ticks,
          labelFont: fonts.labels,
          size: 70,
          ...(this.logY ? { splits: decadeSplits } : {}),
          values: (_plot: uPlot, splits: number[]) =>
            splits.map((value) => formatTick(value, this.logY)),
        },
      ],
      series: [
        { label: this.xLabel || 'x', value: (_u: uPlot, v: number | null) => formatExact(v) },
        ...data.series.map((s, i) => {
          const stroke = colour(i);
          return {
            label: s.label,
            stroke,
            width: bars ? 0 : 2,
            value: (_u: uPlot, v: number | null) => formatExact(v),
            ...(bars
              ? {
                  fill: stroke,
                  paths: layers!.groupedBars(data.series.length, this.logY),
                  points: { show: false },
                }
              : {
                  points: { show: () => this.xs.length <= 60, size: 5 },
                  spanGaps: false,
                  ...(s.dashed ? { dash: [6, 4] } : {}),
                }),
          };
        }),
      ],
      hooks: {
        setCursor: [
          (u: uPlot) => {
            const index = u.cursor.idx ?? null;
            if (index !== this.cursorIndex) this.cursorIndex = index;
          },
        ],
        ...(labelled ? { draw: [(u: uPlot) => drawLabels(u, font)] } : {}),
        ...(hasHeat ? this.heatHooks(errorColour) : {}),
      },
    };
  }

  /**
   * The heat-map under the series, drawn before them (heatmap.ts, with the layout it reads); not in
   * a new plot's first draw, but a task later (createPlot): thousands of cells and a page's first
   * plot, each 20–40 ms on a two-core machine, in one task ran over 50 ms.
   */
  private heatHooks(errorColour: string): uPlot.Hooks.Arrays {
    return {
      drawClear: [
        (u: uPlot) => {
          if (this.heat && this.cellsDrawable) {
            const diverging = Boolean(this.data?.heatmap?.diverging);
            layers!.drawHeatmap(u, this.heat, this.xs, diverging, errorColour);
          }
        },
      ],
    };
  }

  /**
   * Exports what the chart shows (CSV, JSON, or the image as PNG). The export code is imported on
   * the first click: a page that never exports never loads it.
   */
  private async exportAs(format: 'csv' | 'json' | 'png'): Promise<void> {
    if (!this.data) return;
    const { exportChart } = await import('./chart-export.ts');
    exportChart(format, {
      data: this.data,
      plot: this.drawnPlot,
      host: this,
      meta: { title: this.chartTitle, xLabel: this.xLabel, yLabel: this.yLabel },
      stem: this.exportName,
    });
  }

  /** The x value and every series' value at data index `index`, as words (the keyboard readout). */
  private readout(index: number): string {
    const data = this.data;
    if (!data) return '';
    const x = formatExact(data.x[index] ?? null);
    const values = data.series.map((s) => `${s.label} ${formatExact(s.values[index] ?? null)}`);
    return `${this.xLabel || 'x'} ${x}: ${values.join(', ')}`;
  }

  /** Puts the crosshair on data index `index` (keyboard reading); the legend shows its values. */
  private moveCursor(index: number): void {
    const plot = this.drawnPlot;
    const data = this.data;
    if (!plot || !data || data.x.length === 0) return;
    const clamped = Math.max(0, Math.min(data.x.length - 1, index));
    const left = plot.valToPos(Number(data.x[clamped]), 'x');
    plot.setCursor({ left, top: plot.bbox.height / (2 * (devicePixelRatio || 1)) });
    this.cursorIndex = clamped;
  }

  /** Arrow keys move the crosshair a point; Page keys a tenth; Home and End to the ends. */
  private readonly onKey = (event: KeyboardEvent): void => {
    const count = this.data?.x.length ?? 0;
    if (count === 0) return;
    const now = this.cursorIndex ?? count - 1;
    const step = Math.max(1, Math.round(count / 10));
    const moves: Record<string, number> = {
      ArrowRight: now + 1,
      ArrowUp: now + 1,
      ArrowLeft: now - 1,
      ArrowDown: now - 1,
      PageUp: now + step,
      PageDown: now - step,
      Home: 0,
      End: count - 1,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    this.moveCursor(moves[event.key]!);
  };

  /** The swatches, labels and (under the cursor) exact values of the series. */
  private renderLegend(): unknown {
    const data = this.data;
    if (!data || data.series.length === 0) {
      // A framed chart keeps its legend's line from the start, so its plot never moves down.
      return this.aspect
        ? html`<div class="legend" part="legend" aria-hidden="true"></div>`
        : nothing;
    }
    const style = getComputedStyle(this);
    const index = this.cursorIndex;
    const columns = this.prepared?.columns;
    const value = (i: number) => {
      if (index === null) return nothing;
      const raw = data.series[i]!.values[index];
      return html` <span class="value">${formatExact(raw ?? null)}</span>`;
    };
    return html`<div class="legend" part="legend" aria-live="off">
      ${
        index !== null && columns
          ? html`<span class="readout"
              >${this.xLabel || 'x'} = ${formatExact(columns[0]![index] ?? null)}</span
            >`
          : nothing
      }
      ${data.series.map(
        (series, i) =>
          html`<span class="entry"
            >${swatch(this.seriesColour(i, style), this.kind === 'bars', series.dashed)}${series.label}${value(i)}</span
          >`,
      )}
    </div>`;
  }

  override render(): unknown {
    const notes = [this.prepared ? undrawnNote(this.prepared) : ''];
    if (this.heat && this.heat.nonFinite > 0) {
      notes.push(`${this.heat.nonFinite} non-finite heat-map cells drawn in the error colour.`);
    }
    const note = notes.filter(Boolean).join(' ');
    const heatmap = this.data?.heatmap;
    const framed = Boolean(this.aspect);
    return html`<figure
      role="figure"
      aria-label=${this.chartTitle || this.yLabel}
      class=${framed ? 'framed' : ''}
    >
      <div class="head">
        <figcaption title=${this.chartTitle}>
          <slot name="caption">${this.chartTitle}</slot>
        </figcaption>
        ${
          this.exportable
            ? html`<div
                class="toolbar"
                part="toolbar"
                role="group"
                aria-label="export ${this.chartTitle || this.yLabel}"
              >
                <slot name="actions"></slot>
                <button type="button" ?disabled=${!this.data} @click=${() => this.exportAs('csv')}>
                  CSV
                </button>
                <button type="button" ?disabled=${!this.data} @click=${() => this.exportAs('json')}>
                  JSON
                </button>
                <button type="button" ?disabled=${!this.data} @click=${() => this.exportAs('png')}>
                  PNG
                </button>
              </div>`
            : html`<slot name="actions"></slot>`
        }
      </div>
      ${this.renderLegend()}
      <div class="plot">
        <div
          part="chart"
          role=${this.data ? 'slider' : nothing}
          tabindex=${this.data ? '0' : nothing}
          aria-label=${this.data ? `read the values of ${this.chartTitle || this.yLabel}` : nothing}
          aria-valuemin=${this.data ? '0' : nothing}
          aria-valuemax=${this.data ? String(Math.max(0, this.data.x.length - 1)) : nothing}
          aria-valuenow=${this.data ? String(this.cursorIndex ?? 0) : nothing}
          aria-valuetext=${this.data ? this.readout(this.cursorIndex ?? 0) : nothing}
          @keydown=${this.onKey}
          @focus=${() => this.moveCursor(this.cursorIndex ?? (this.data?.x.length ?? 1) - 1)}
          @blur=${() => this.drawnPlot?.setCursor({ left: -10, top: -10 })}
        ></div>
        <div class="status"><slot name="status"></slot></div>
      </div>
      ${
        heatmap && layers
          ? html`<p class="scale">
              <span class="ramp ${heatmap.diverging ? 'diverging' : ''}" aria-hidden="true"></span>
              ${layers.shadingText(heatmap)}
            </p>`
          : nothing
      }
      ${note ? html`<p class="note" part="note" role="note">${note}</p>` : nothing}
    </figure>`;
  }
}
