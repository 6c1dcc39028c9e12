import { css } from 'lit';
import { sectionStyles } from '../lab/section.styles.ts';

export const gradVerifyStyles = [
  sectionStyles,
  css`
    .notice {
      display: inline-block;
      padding: 0.1rem 0.4rem;
      border-radius: 3px;
      background: var(--grad-warn-bg, rgba(191, 135, 0, 0.15));
      font-weight: 600;
    }
    p.notice {
      display: block;
    }
    td.detail,
    span.detail {
      font-size: 0.8rem;
      font-weight: 400;
      text-align: left;
    }
    td.statistic {
      white-space: nowrap;
    }
    td.fail,
    td.pass {
      text-align: left;
    }
    table[part='table'] td:last-child {
      min-width: 10rem;
      max-width: 40rem;
      white-space: normal;
    }
  `,
];
