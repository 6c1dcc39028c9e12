import { defineSection } from '../lab/define-section.ts';
import { GradInitExplorer } from './grad-init-explorer.ts';

defineSection('grad-init-explorer', GradInitExplorer);

declare global {
  interface HTMLElementTagNameMap {
    'grad-init-explorer': GradInitExplorer;
  }
}
