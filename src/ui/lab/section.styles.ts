import { css } from 'lit';

/** What every lab section shares: type, form controls, messages, tables, light and dark. */
export const sectionStyles = css`
  :host {
    display: block;
    font-family: var(--grad-font, system-ui, sans-serif);
    color: var(--grad-fg, #1b1f24);
    background: var(--grad-bg, transparent);
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: end;
    margin: 0.5rem 0;
  }
  label {
    display: grid;
    gap: 0.2rem;
    font-size: 0.85rem;
  }
  label.inline {
    display: flex;
    align-items: center;
    gap: 0.35rem;
  }
  fieldset {
    border: 1px solid var(--grad-rule, #d0d7de);
    border-radius: 4px;
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 0.75rem;
    font-size: 0.85rem;
  }
  input,
  select,
  button {
    font: inherit;
    padding: 0.3rem 0.4rem;
  }
  button {
    cursor: pointer;
  }
  :focus-visible {
    outline: 2px solid var(--grad-accent, #0b63c5);
    outline-offset: 2px;
  }
  .run-status {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    min-height: 1.5rem;
  }
  progress {
    width: 12rem;
    max-width: 100%;
  }
  .error {
    color: var(--grad-error, #b00020);
    font-weight: 600;
  }
  .status,
  .note {
    font-size: 0.85rem;
  }
  .charts {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr));
    gap: 1rem;
  }
  .table-wrap {
    overflow-x: auto;
    max-width: 100%;
  }
  table {
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
    font-size: 0.85rem;
    margin: 0.5rem 0;
  }
  caption {
    text-align: left;
    font-weight: 600;
    padding: 0.25rem 0;
  }
  th,
  td {
    padding: 0.2rem 0.6rem;
    text-align: right;
    border-bottom: 1px solid var(--grad-rule, #d0d7de);
  }
  th:first-child,
  td:first-child {
    text-align: left;
  }
  td.nonfinite,
  .fail {
    color: var(--grad-error, #b00020);
    font-weight: 600;
  }
  .pass {
    color: var(--grad-ok, #1a7f37);
    font-weight: 600;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      color: var(--grad-fg, #e6edf3);
      --grad-error: #ff8182;
      --grad-ok: #56d364;
      --grad-rule: #30363d;
      --grad-accent: #79c0ff;
    }
  }
`;
