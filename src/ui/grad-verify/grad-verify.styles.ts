import { css } from 'lit';
import { sectionStyles } from '../lab/section.styles.ts';

export const gradVerifyStyles = [
  sectionStyles,
  css`
    grad-verify-table,
    grad-verify-errors,
    grad-verify-timings {
      margin: 0.5rem 0;
    }
  `,
];
