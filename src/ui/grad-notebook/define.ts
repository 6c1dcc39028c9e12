import { defineSection } from '../lab/define-section.ts';
import { GradNotebook } from './grad-notebook.ts';

defineSection('grad-notebook', GradNotebook);

declare global {
  interface HTMLElementTagNameMap {
    'grad-notebook': GradNotebook;
  }
}
