import { css } from 'lit';

export const gradRunStyles = css`
  :host {
    display: block;
    font-family: var(--grad-font, system-ui, sans-serif);
    color: var(--grad-fg, #1b1f24);
    background: var(--grad-bg, transparent);
  }
  form {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr));
    gap: 0.5rem 1rem;
    align-items: end;
  }
  label {
    display: grid;
    gap: 0.2rem;
    font-size: 0.85rem;
  }
  input,
  select,
  button {
    font: inherit;
    padding: 0.3rem 0.4rem;
  }
  .actions {
    grid-column: 1 / -1;
    display: flex;
    gap: 0.5rem;
    align-items: center;
    margin: 0.75rem 0;
  }
  progress {
    width: 12rem;
  }
  .error {
    color: var(--grad-error, #b00020);
    font-weight: 600;
  }
  .status {
    font-size: 0.85rem;
    opacity: 0.85;
  }
  table {
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
    font-size: 0.85rem;
  }
  th,
  td {
    padding: 0.2rem 0.6rem;
    text-align: right;
    border-bottom: 1px solid var(--grad-rule, #d0d7de);
  }
  td.nonfinite {
    color: var(--grad-error, #b00020);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      color: var(--grad-fg, #e6edf3);
    }
  }
`;
