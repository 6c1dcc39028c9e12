import { css } from 'lit';

/** The gallery's own layout; type, tables and colours come from sectionStyles. */
export const gradActivationsStyles = css`
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 18rem), 1fr));
    gap: 1rem;
  }
  /* Formulas above, chart below: the charts of one grid row line up whatever the formulas' height. */
  .cell {
    min-width: 0;
    display: flex;
    flex-direction: column;
  }
  .overlay {
    margin-top: 1rem;
  }
  .controls {
    margin: 0.5rem 0 1rem;
  }
  .formulas {
    flex: 1;
    display: flex;
    flex-direction: column;
    justify-content: flex-end;
    font-size: 0.9rem;
  }
  table {
    margin-top: 1rem;
  }
  th.formula,
  td.formula {
    text-align: left;
    white-space: nowrap;
  }
`;
