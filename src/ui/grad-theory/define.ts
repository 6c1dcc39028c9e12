import { defineSection } from '../lab/define-section.ts';
import { GradTheory } from './grad-theory.ts';

defineSection('grad-theory', GradTheory);

declare global {
  interface HTMLElementTagNameMap {
    'grad-theory': GradTheory;
  }
}
