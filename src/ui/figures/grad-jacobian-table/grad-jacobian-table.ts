import { html } from 'lit';
import type { JacobianSpectrum } from '../../../engine/jacobian.ts';
import { formatNumber, spreadDecades } from '../../grad-theory/theory-data.ts';
import { JacobianFigure } from '../jacobian-figure.ts';

/**
 * The spread of the input–output Jacobian's singular values, one row per weight kind (i.i.d. and
 * orthogonal of the same scale): largest, smallest, condition number, spread in decades and the
 * mean squared singular value. The same spectra as grad-jacobian-spectrum (computed once between
 * them). J's f64 entries carry rounding of about 1e-16 of its largest ones, so a smallest value
 * below roughly 1e-15 × the largest means "numerically zero".
 *
 * @summary The Jacobian spectra's spread, as a table.
 * @event grad-options-change - `detail["jacobian-width"]` when the reader changes the width.
 * @csspart table - The table.
 * @csspart run-status - Progress, Cancel, and run errors.
 * @tagname grad-jacobian-table
 */
export class GradJacobianTable extends JacobianFigure {
  static override shape = 'table' as const;
  protected override defaultCaption(): string {
    return `Spread of the Jacobian's singular values (width ${this.width}, depth ${this.state.spec.depth})`;
  }

  protected override renderFigure(): unknown {
    const spectra = this.spectra;
    const rows: [string, JacobianSpectrum][] = spectra
      ? [
          [
            `${spectra.pair.gaussianLabel}, σ_w = ${formatNumber(spectra.pair.sigmaW)}`,
            spectra.gaussian,
          ],
          [`orthogonal, gain ${formatNumber(spectra.pair.sigmaW)}`, spectra.orthogonal],
        ]
      : [];
    return this.tableFrame(
      html`${this.pairNote()}
        <div
          class="table-wrap"
          tabindex="0"
          role="region"
          aria-label=${`${this.caption} (table; scrolls sideways on narrow screens)`}
        >
          <table part="table" data-table="spectrum">
            <caption>
              ${this.caption}
            </caption>
            <thead>
              <tr>
                <th scope="col">weights</th>
                <th scope="col">largest</th>
                <th scope="col">smallest</th>
                <th scope="col">condition number</th>
                <th scope="col">spread (decades)</th>
                <th scope="col">mean σ²</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                ([label, s]) =>
                  html`<tr>
                    <th scope="row">${label}</th>
                    <td>${formatNumber(s.max)}</td>
                    <td>${formatNumber(s.min)}</td>
                    <td class=${Number.isFinite(s.conditionNumber) ? '' : 'nonfinite'}>
                      ${formatNumber(s.conditionNumber)}
                    </td>
                    <td>${formatNumber(spreadDecades(s))}</td>
                    <td>${formatNumber(s.meanSquare)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`,
    );
  }
}
