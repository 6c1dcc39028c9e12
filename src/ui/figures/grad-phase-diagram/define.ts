import { defineFigure } from '../../figure/define-figure.ts';
import { GradPhaseDiagram } from './grad-phase-diagram.ts';

defineFigure('grad-phase-diagram', GradPhaseDiagram);

declare global {
  interface HTMLElementTagNameMap {
    'grad-phase-diagram': GradPhaseDiagram;
  }
}
