import { defineSection } from '../lab/define-section.ts';
import { GradFixes } from './grad-fixes.ts';

defineSection('grad-fixes', GradFixes);

declare global {
  interface HTMLElementTagNameMap {
    'grad-fixes': GradFixes;
  }
}
