import { html, LitElement, nothing, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import {
  formatTick,
  prepareChartData,
  undrawnNote,
  type ChartData,
  type PreparedChartData,
} from './chart-data.ts';
import { gradChartStyles } from './grad-chart.styles.ts';

/**
 * The one component that wraps uPlot: a line chart of columnar data, optionally on a log y axis.
 * Values it cannot draw (non-finite, or ≤ 0 on a log axis) become gaps, and a note under the chart
 * counts them, so an exploding network never shows as a blank or misleading chart.
 *
 * @summary A labelled uPlot line chart.
 * @csspart chart - The element uPlot draws into.
 * @csspart note - The note about values that could not be drawn.
 * @cssproperty --grad-series-1 - Colour of the first series (…-6 for the sixth).
 * @cssproperty --grad-fg - Axis and text colour.
 */
export class GradChart extends LitElement {
  static override styles = gradChartStyles;
  static override properties = {
    data: { attribute: false },
    chartTitle: { attribute: 'chart-title' },
    xLabel: { attribute: 'x-label' },
    yLabel: { attribute: 'y-label' },
    logY: { type: Boolean, attribute: 'log-y' },
  };

  declare data: ChartData | null;
  declare chartTitle: string;
  declare xLabel: string;
  declare yLabel: string;
  declare logY: boolean;

  private plot: uPlot | null = null;
  private prepared: PreparedChartData | null = null;
  private resizeObserver: ResizeObserver | null = null;

  constructor() {
    super();
    this.data = null;
    this.chartTitle = '';
    this.xLabel = '';
    this.yLabel = '';
    this.logY = false;
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
    const width = Math.max(240, Math.floor(this.getBoundingClientRect().width) || 480);
    return { width, height: Math.round(Math.min(360, Math.max(200, width * 0.45))) };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('data') || changed.has('logY')) {
      this.prepared = this.data ? prepareChartData(this.data, this.logY) : null;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    const target = this.renderRoot.querySelector<HTMLElement>('[part=chart]');
    if (!target || !this.data || !this.prepared) return;
    const structural = changed.has('logY') || changed.has('xLabel') || changed.has('yLabel');
    const sameSeries =
      this.plot && this.plot.series.length === this.data.series.length + 1 && !structural;
    if (sameSeries) {
      this.plot!.setData(this.prepared.columns as uPlot.AlignedData);
      return;
    }
    this.plot?.destroy();
    const style = getComputedStyle(this);
    const colour = (i: number) =>
      style.getPropertyValue(`--grad-series-${(i % 6) + 1}`).trim() || 'currentColor';
    const axisColour = style.color;
    this.plot = new uPlot(
      {
        ...this.size(),
        scales: { x: { time: false }, y: this.logY ? { distr: 3 } : {} },
        axes: [
          { label: this.xLabel, stroke: axisColour },
          {
            label: this.yLabel,
            stroke: axisColour,
            size: 70,
            values: (_plot: uPlot, splits: number[]) => splits.map(formatTick),
          },
        ],
        series: [
          { label: this.xLabel || 'x' },
          ...this.data.series.map((s, i) => ({
            label: s.label,
            stroke: s.color ?? colour(i),
            width: 2,
            // Markers for a few points (layers); dense curves read better as lines.
            points: { show: this.data!.x.length <= 60, size: 5 },
            spanGaps: false,
          })),
        ],
      },
      this.prepared.columns as uPlot.AlignedData,
      target,
    );
  }

  override render(): unknown {
    const note = this.prepared ? undrawnNote(this.prepared) : '';
    return html`<figure role="figure" aria-label=${this.chartTitle || this.yLabel}>
      ${this.chartTitle ? html`<figcaption>${this.chartTitle}</figcaption>` : nothing}
      <div part="chart"></div>
      ${note ? html`<p class="note" part="note" role="note">${note}</p>` : nothing}
    </figure>`;
  }
}
