import { defineSection } from '../lab/define-section.ts';
import { GradBenchmark } from './grad-benchmark.ts';

defineSection('grad-benchmark', GradBenchmark);

declare global {
  interface HTMLElementTagNameMap {
    'grad-benchmark': GradBenchmark;
  }
}
