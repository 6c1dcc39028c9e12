import { css } from 'lit';
import { sectionStyles } from '../lab/section.styles.ts';

export const gradBenchmarkStyles = [
  sectionStyles,
  css`
    h3 {
      font-size: 1rem;
      margin: 1rem 0 0.25rem;
    }
    grad-timings-table,
    grad-thread-scaling,
    grad-kernel-table,
    grad-kernel-times,
    grad-size-sweep {
      margin: 0.5rem 0;
    }
  `,
];
