import { html, nothing } from 'lit';
import type { ChartData } from '../../grad-chart/chart-data.ts';
import { loadSpecForm } from '../../grad-spec-form/load.ts';
import type { FigureControls } from '../../figure/figure-controls.ts';
import { GradFigure } from '../../figure/grad-figure.ts';
import { nextTask } from '../../figure/ready-queue.ts';
import { LAB_STATE_READER, type LabState } from '../../lab/lab-state.ts';
import {
  activationName,
  prepareTheoryView,
  theoryViewOf,
  varianceMapChart,
  varianceSequenceChart,
  type TheoryView,
} from '../../grad-theory/theory-data.ts';
import { VARIANCE_VIEW } from '../../grad-theory/theory-options.ts';

/**
 * Mean-field theory's variance map (Poole et al. 2016, eq. 3) for the spec's activation, σ_w and
 * σ_b: `view="map"` draws V(q) = σ_w²·E[φ(√q z)²] + σ_b² against the identity, crossing at the
 * fixed point q*; `view="depth"` draws q⁽ˡ⁾ through the spec's hidden layers, with q* as a line
 * where it is finite. Computed by quadrature from the engine's theory; it runs no network. Other
 * inits than custom use their effective σ_w (the theory of a square hidden layer).
 *
 * @summary The variance map and its fixed point q*, or q⁽ˡ⁾ through depth.
 * @tagname grad-variance-map
 */
export class GradVarianceMap extends GradFigure<LabState> {
  static override styles = [GradFigure.styles];
  static override stateReader = LAB_STATE_READER;
  static override optionRules = [VARIANCE_VIEW];

  private view: TheoryView | null = null;
  private viewError: string | null = null;
  /** Both views' chart data, computed once a spec (null until then). */
  private charts: { readonly map: ChartData; readonly depth: ChartData } | null = null;
  /** The spec (as JSON) that the view and charts are of. */
  private computedFor = '';

  /** The theory drawn (null where it cannot be evaluated). */
  get theory(): TheoryView | null {
    return this.view;
  }

  /** The theory and both views' samples (quadrature), once a spec rather than on every drawing. */
  private compute(): void {
    const key = JSON.stringify(this.state.spec);
    if (key === this.computedFor) return;
    this.computedFor = key;
    ({ view: this.view, error: this.viewError } = theoryViewOf(this.state.spec));
    const view = this.view;
    this.charts = view && { map: varianceMapChart(view), depth: varianceSequenceChart(view) };
  }

  /** The first spec's theory, then its samples, each in a task of its own (cold: 15–30 ms each). */
  protected override async prepare(): Promise<void> {
    await prepareTheoryView(this.state.spec);
    this.compute();
    await nextTask();
  }

  protected override plan(): void {
    this.compute();
    this.toggleAttribute('data-complete', this.view !== null);
  }

  protected override defaultCaption(): string {
    const { spec } = this.state;
    return this.option(VARIANCE_VIEW) === 'map'
      ? `Variance map of ${activationName(spec.activation, spec.alpha)}: V(q) against the identity; they cross at q*`
      : `q⁽ˡ⁾ through ${spec.depth} hidden layers (mean field)`;
  }

  protected override renderSettings(): unknown {
    void loadSpecForm();
    return html`<grad-spec-form .spec=${this.state.spec}></grad-spec-form>`;
  }

  protected override renderControls(ui: FigureControls): unknown {
    return ui.segmented(
      'view',
      'view',
      [
        { value: 'map', label: 'the map V(q)' },
        { value: 'depth', label: 'q⁽ˡ⁾ through depth' },
      ],
      this.option(VARIANCE_VIEW),
      (value) => this.setAttribute('view', value),
    );
  }

  protected override renderFigure(): unknown {
    const charts = this.charts;
    const map = this.option(VARIANCE_VIEW) === 'map';
    return html`${
      this.viewError
        ? html`<p class="error" role="alert">
            The theory cannot be evaluated for these settings: ${this.viewError}
          </p>`
        : nothing
    }${
      map
        ? this.chart({
            name: 'variance-map',
            exportName: 'theory-variance-map',
            data: charts?.map ?? null,
            xLabel: 'q⁽ˡ⁾',
            yLabel: 'q⁽ˡ⁺¹⁾',
          })
        : this.chart({
            name: 'variance-sequence',
            exportName: 'theory-variance-sequence',
            data: charts?.depth ?? null,
            xLabel: 'hidden layer l',
            yLabel: 'q⁽ˡ⁾',
            logY: true,
          })
    }`;
  }
}
