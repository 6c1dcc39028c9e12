import { css } from 'lit';
import { sectionStyles } from '../lab/section.styles.ts';

export const gradBenchmarkStyles = [
  sectionStyles,
  css`
    input[type='number'] {
      width: 6rem;
      max-width: 100%;
    }
    input[type='text'] {
      width: 16rem;
      max-width: 100%;
    }
    input[aria-invalid='true'] {
      border-color: var(--grad-error, #b00020);
    }
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
    td,
    th {
      white-space: nowrap;
    }
    td.note-cell {
      white-space: normal;
      min-width: 10rem;
      font-size: 0.8rem;
    }
    td.missing {
      color: var(--grad-muted, #6e7781);
    }
    td.nonfinite {
      color: var(--grad-error, #b00020);
    }
    dl.environment {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 0.2rem 0.75rem;
      font-size: 0.85rem;
      margin: 0.5rem 0;
    }
    dl.environment dt {
      font-weight: 600;
    }
    dl.environment dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    ol.legend {
      font-size: 0.85rem;
      margin: 0.25rem 0;
      padding-left: 1.5rem;
    }
    h3 {
      font-size: 1rem;
      margin: 1rem 0 0.25rem;
    }
  `,
];
