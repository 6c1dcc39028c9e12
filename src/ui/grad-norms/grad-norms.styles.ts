import { css } from 'lit';
import { sectionStyles } from '../lab/section.styles.ts';

export const gradNormsStyles = [
  sectionStyles,
  css`
    .figures {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 30rem), 1fr));
      gap: 1.5rem 1rem;
    }
  `,
];
