import { defineSection } from '../lab/define-section.ts';
import { GradVerify } from './grad-verify.ts';

defineSection('grad-verify', GradVerify);

declare global {
  interface HTMLElementTagNameMap {
    'grad-verify': GradVerify;
  }
}
