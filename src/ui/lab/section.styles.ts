import { css } from 'lit';
import { token } from '../design/tokens.ts';

/**
 * What every section and figure shares: type, controls, messages, tables, light and dark, all
 * from the design tokens (design/tokens.ts).
 */
export const sectionStyles = css`
  :host {
    display: block;
    font-family: ${token('font')};
    font-size: ${token('text-md')};
    line-height: 1.5;
    color: ${token('fg')};
    background: var(--grad-bg, transparent);
    color-scheme: inherit;
  }
  p {
    margin: 0 0 ${token('space-3')};
    max-width: ${token('measure')};
  }
  .prose {
    max-width: ${token('measure')};
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    gap: ${token('space-3')} ${token('space-4')};
    align-items: end;
    margin: ${token('space-2')} 0 ${token('space-3')};
  }
  label {
    display: grid;
    gap: ${token('space-1')};
    font-size: ${token('text-sm')};
  }
  label.inline {
    display: flex;
    align-items: center;
    gap: 0.35rem;
  }
  fieldset {
    border: 1px solid ${token('rule')};
    border-radius: ${token('radius')};
    display: flex;
    flex-wrap: wrap;
    gap: ${token('space-1')} ${token('space-3')};
    font-size: ${token('text-sm')};
  }
  input,
  select,
  button {
    font: inherit;
    font-size: ${token('text-sm')};
    color: inherit;
    padding: 0.35rem 0.55rem;
    min-height: 2.25rem;
    border: 1px solid ${token('rule')};
    border-radius: ${token('radius')};
    background: ${token('surface-raised')};
    box-sizing: border-box;
  }
  input[type='checkbox'],
  input[type='radio'] {
    min-height: auto;
    accent-color: ${token('accent')};
  }
  input[type='range'] {
    padding: 0;
    border: 0;
    background: transparent;
    accent-color: ${token('accent')};
  }
  button {
    cursor: pointer;
    font-weight: 600;
  }
  button:hover {
    border-color: ${token('accent')};
  }
  button.primary {
    background: ${token('accent')};
    color: ${token('on-accent')};
    border-color: ${token('accent')};
  }
  :focus-visible {
    outline: 2px solid ${token('accent')};
    outline-offset: 2px;
  }
  .run-status {
    display: flex;
    flex-wrap: wrap;
    gap: ${token('space-2')};
    align-items: center;
    min-height: 1.5rem;
  }
  progress {
    width: 12rem;
    max-width: 100%;
    accent-color: ${token('accent')};
  }
  .error {
    color: ${token('error')};
    font-weight: 600;
  }
  .status,
  .note {
    font-size: ${token('text-sm')};
  }
  .note {
    color: ${token('muted')};
  }
  .charts {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr));
    gap: ${token('space-4')};
  }
  .table-wrap {
    overflow-x: auto;
    max-width: 100%;
  }
  table {
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
    font-size: ${token('text-sm')};
    margin: ${token('space-2')} 0;
  }
  caption {
    text-align: left;
    font-weight: 600;
    padding: ${token('space-1')} 0;
  }
  th,
  td {
    padding: 0.25rem 0.6rem;
    text-align: right;
    border-bottom: 1px solid ${token('rule')};
  }
  th:first-child,
  td:first-child {
    text-align: left;
  }
  td.nonfinite,
  .fail {
    color: ${token('error')};
    font-weight: 600;
  }
  .pass {
    color: ${token('ok')};
    font-weight: 600;
  }
  code {
    font-family: ${token('font-mono')};
    font-size: 0.9em;
  }
`;
