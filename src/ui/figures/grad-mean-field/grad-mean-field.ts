import { html, nothing } from 'lit';
import { RunFigure, type PlannedSpec } from '../../figure/run-figure.ts';
import {
  activationName,
  gradientOverlay,
  gradientOverlayChart,
  prepareTheoryView,
  theoryViewOf,
  type GradientOverlay,
  type TheoryView,
} from '../../grad-theory/theory-data.ts';

/**
 * The measured ‖δ⁽ˡ⁾‖ of the spec's network against mean-field theory (Schoenholz et al. 2017,
 * §5): going down from the output, the prediction multiplies ‖δ‖ by √(σ_w²·E[φ′(√q⁽ˡ⁾ z)²]) per
 * layer with each layer's own q⁽ˡ⁾, and the second curve, χ₁^((L−l)/2), takes q⁽ˡ⁾ = q* in every
 * layer. Both are scaled to the measured output layer, so only the slope is predicted. For
 * residual or batch-normalized networks, which the theory does not describe, only the
 * measurement is drawn. Other inits than custom use their effective σ_w.
 *
 * @summary Measured gradient norms per layer against the mean-field prediction.
 * @csspart run-status - Progress, Cancel, and run errors.
 * @tagname grad-mean-field
 */
export class GradMeanField extends RunFigure {
  private view: TheoryView | null = null;
  private viewError: string | null = null;
  private planned: PlannedSpec[] = [];

  /** The theory of the spec's network (null where it cannot be evaluated). */
  get theory(): TheoryView | null {
    return this.view;
  }

  /** The measured norms and both predictions scaled to them; null until the run is done. */
  get overlay(): GradientOverlay | null {
    const run = this.planned[0];
    const result = run && this.results.get(run.key);
    return result && this.view ? gradientOverlay(this.view, result) : null;
  }

  protected override planKey(): string {
    return JSON.stringify(this.state.spec);
  }

  protected override prepare(): Promise<void> {
    return prepareTheoryView(this.state.spec);
  }

  protected override plan(): void {
    const spec = this.state.spec;
    ({ view: this.view, error: this.viewError } = theoryViewOf(spec));
    this.planned = this.view ? [{ key: JSON.stringify(spec), spec }] : [];
    void this.ensureRuns(this.planned);
  }

  protected override defaultCaption(): string {
    const { spec } = this.state;
    const name = activationName(spec.activation, spec.alpha);
    return `Measured ‖δ⁽ˡ⁾‖ of ${name} (${spec.init} init, depth ${spec.depth}, width ${spec.width}) and the mean-field prediction, scaled to the measured output layer`;
  }

  protected override renderFigure(): unknown {
    const view = this.view;
    const overlay = this.overlay;
    return html`${
      this.viewError
        ? html`<p class="error" role="alert">
            The theory cannot be evaluated for these settings: ${this.viewError}
          </p>`
        : nothing
    }${this.chart({
      name: 'gradient-overlay',
      exportName: 'theory-gradient-overlay',
      data: view && overlay ? gradientOverlayChart(view, overlay) : null,
      xLabel: 'layer (1 = closest to the input)',
      yLabel: '‖δ⁽ˡ⁾‖',
      logY: true,
    })}`;
  }
}
