import { defineFigure } from '../../figure/define-figure.ts';
import { GradJacobianSpectrum } from './grad-jacobian-spectrum.ts';

defineFigure('grad-jacobian-spectrum', GradJacobianSpectrum);

declare global {
  interface HTMLElementTagNameMap {
    'grad-jacobian-spectrum': GradJacobianSpectrum;
  }
}
