import { css } from 'lit';
import { sectionStyles } from '../lab/section.styles.ts';

/** The training section's own bits; the rest comes from sectionStyles. */
export const gradTrainingStyles = [
  sectionStyles,
  css`
    fieldset {
      min-width: 0;
      max-width: 100%;
    }
    button[aria-pressed='true'] {
      font-weight: 600;
      border-color: var(--grad-accent, #0b63c5);
    }
    .figures {
      display: grid;
      gap: 1rem;
    }
    /* Networks side by side where there is room, stacked on a phone. */
    .compare-grid {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr));
      gap: 1rem;
    }
    .network {
      min-width: 0;
      border-top: 1px solid var(--grad-rule, #d0d7de);
      display: grid;
      gap: 0.5rem;
    }
    .network h3 {
      font-size: 1rem;
      margin: 0.5rem 0 0;
    }
    .network p {
      margin: 0;
    }
  `,
];
