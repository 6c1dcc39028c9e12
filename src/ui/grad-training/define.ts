import { defineSection } from '../lab/define-section.ts';
import { GradTraining } from './grad-training.ts';

defineSection('grad-training', GradTraining);

declare global {
  interface HTMLElementTagNameMap {
    'grad-training': GradTraining;
  }
}
