import { css } from 'lit';
import { sectionStyles } from '../lab/section.styles.ts';

/** The theory section's own bits (its figures style themselves); the rest is sectionStyles. */
export const gradTheoryStyles = [
  sectionStyles,
  css`
    h3 {
      font-size: 1.05rem;
      margin: 1.25rem 0 0.25rem;
    }
    dl.numbers {
      display: grid;
      grid-template-columns: minmax(7rem, max-content) minmax(0, 1fr);
      gap: 0.2rem 0.75rem;
      font-size: 0.9rem;
      margin: 0.5rem 0;
    }
    dl.numbers dt {
      font-weight: 600;
    }
    dl.numbers dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    .value {
      font-variant-numeric: tabular-nums;
      font-weight: 600;
    }
    .phase-ordered {
      color: var(--grad-ordered, #0b63c5);
    }
    .phase-chaotic {
      color: var(--grad-chaotic, #b3261e);
    }
    ul.caveats {
      font-size: 0.85rem;
      padding-left: 1.25rem;
    }
    .figures {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr));
      gap: 1.5rem 1rem;
      align-items: start;
      margin: 0.75rem 0;
    }
    details {
      font-size: 0.85rem;
      margin: 0.5rem 0;
    }
    summary {
      cursor: pointer;
    }
    @media (prefers-color-scheme: dark) {
      :host {
        --grad-ordered: #79c0ff;
        --grad-chaotic: #ff8182;
      }
    }
  `,
];
