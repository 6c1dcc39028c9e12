import { css } from 'lit';

/** The init explorer's own bits; the rest comes from sectionStyles. */
export const gradInitExplorerStyles = css`
  legend {
    padding: 0 0.25rem;
  }
  .init-run {
    min-width: 0;
  }
  details {
    margin-top: 0.25rem;
    font-size: 0.85rem;
  }
  summary {
    cursor: pointer;
  }
  .figures > .charts {
    margin-top: 1rem;
  }
  h3 {
    font-size: 1rem;
    margin: 1rem 0 0.25rem;
  }
`;
