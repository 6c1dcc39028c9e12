import { html } from 'lit';
import { spectrumChart } from '../../grad-theory/theory-data.ts';
import { JacobianFigure } from '../jacobian-figure.ts';

/**
 * Dynamical isometry (Pennington et al. 2017): the singular values of the input–output Jacobian
 * J = ∂a⁽ᴸ⁾/∂x at one input of a square network (inputs = width = outputs, `jacobian-width`) with
 * the spec's activation, depth and biases, largest first on a log scale, for i.i.d. weights (the
 * spec's init, or Gaussian at its effective σ_w) and orthogonal weights of the same scale.
 * Computed densely in f64 in the CPU worker, whatever the spec's backend.
 *
 * @summary Singular values of the input–output Jacobian, Gaussian against orthogonal weights.
 * @event grad-options-change - `detail["jacobian-width"]` when the reader changes the width.
 * @csspart run-status - Progress, Cancel, and run errors.
 * @tagname grad-jacobian-spectrum
 */
export class GradJacobianSpectrum extends JacobianFigure {
  protected override defaultCaption(): string {
    return `Singular values of the input–output Jacobian, width ${this.width}, largest first`;
  }

  protected override renderFigure(): unknown {
    const spectra = this.spectra;
    return html`${this.pairNote()}${this.chart({
      name: 'jacobian-spectrum',
      exportName: 'theory-jacobian-spectrum',
      data: spectra ? spectrumChart(spectra.pair, spectra.gaussian, spectra.orthogonal) : null,
      xLabel: 'rank',
      yLabel: 'singular value',
      logY: true,
    })}`;
  }
}
