import { defineSection } from '../lab/define-section.ts';
import { GradRun } from './grad-run.ts';

defineSection('grad-run', GradRun);

declare global {
  interface HTMLElementTagNameMap {
    'grad-run': GradRun;
  }
}
