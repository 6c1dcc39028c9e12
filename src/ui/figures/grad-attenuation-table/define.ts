import { defineFigure } from '../../figure/define-figure.ts';
import { GradAttenuationTable } from './grad-attenuation-table.ts';

defineFigure('grad-attenuation-table', GradAttenuationTable);

declare global {
  interface HTMLElementTagNameMap {
    'grad-attenuation-table': GradAttenuationTable;
  }
}
