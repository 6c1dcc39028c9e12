import { defineSection } from '../lab/define-section.ts';
import { GradNorms } from './grad-norms.ts';

defineSection('grad-norms', GradNorms);

declare global {
  interface HTMLElementTagNameMap {
    'grad-norms': GradNorms;
  }
}
