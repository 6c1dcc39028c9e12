import { defineSection } from '../lab/define-section.ts';
import { GradExportPytorch } from './grad-export-pytorch.ts';

defineSection('grad-export-pytorch', GradExportPytorch);

declare global {
  interface HTMLElementTagNameMap {
    'grad-export-pytorch': GradExportPytorch;
  }
}
