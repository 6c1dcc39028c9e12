import { css } from 'lit';
import { sectionStyles } from '../lab/section.styles.ts';

export const gradNormsStyles = [
  sectionStyles,
  css`
    input[type='text'] {
      width: 14rem;
      max-width: 100%;
    }
    input[aria-invalid='true'] {
      border-color: var(--grad-error, #b00020);
    }
    .depths {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem;
      align-items: end;
    }
    tr.chapter th {
      font-weight: 700;
    }
    tr.chapter {
      background: var(--grad-highlight, rgba(11, 99, 197, 0.08));
    }
    td {
      white-space: nowrap;
    }
    td.above {
      font-style: italic;
    }
    .missing {
      color: var(--grad-muted, #6e7781);
    }
  `,
];
