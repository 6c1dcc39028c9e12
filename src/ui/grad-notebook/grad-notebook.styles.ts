import { css } from 'lit';
import { sectionStyles } from '../lab/section.styles.ts';

export const gradNotebookStyles = [
  sectionStyles,
  css`
    h3 {
      font-size: 1.05rem;
      margin: 1.5rem 0 0.5rem;
    }
    p,
    li {
      max-width: 70ch;
      line-height: 1.45;
    }
    .diagnosis {
      font-size: 0.9rem;
      padding-left: 1.2rem;
    }
    pre {
      font-family: var(--grad-mono, ui-monospace, monospace);
      overflow-x: auto;
      max-width: 100%;
      padding: 0.5rem;
      border: 1px solid var(--grad-rule, #d0d7de);
      border-radius: 4px;
      font-size: 0.8rem;
    }
    summary {
      cursor: pointer;
      font-size: 0.9rem;
      margin: 0.5rem 0;
    }
    .truth {
      border-left: 4px solid var(--grad-accent, #0b63c5);
      padding: 0.25rem 0 0.25rem 0.75rem;
    }
  `,
];
