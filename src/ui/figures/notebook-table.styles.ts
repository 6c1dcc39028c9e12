import { css } from 'lit';

/** The notebook's tables: numbers in a monospace font, as Python prints them. */
export const notebookTableStyles = css`
  td.python,
  td.number {
    font-family: var(--grad-mono, ui-monospace, monospace);
    font-size: 0.8rem;
  }
  td[data-verdict] {
    text-align: left;
  }
`;
