import { css } from 'lit';
import { token } from '../design/tokens.ts';
import { controlStyles } from '../figure/controls.ts';
import { sectionStyles } from '../lab/section.styles.ts';

export const gradImportStyles = [
  sectionStyles,
  controlStyles,
  css`
    pre.recipe {
      background: ${token('surface')};
      border: 1px solid ${token('rule')};
      border-radius: ${token('radius')};
      padding: ${token('space-3')};
      overflow-x: auto;
      font-size: ${token('text-sm')};
      max-width: ${token('measure')};
      margin: 0 0 ${token('space-3')};
    }
    .drop-zone {
      border: 2px dashed ${token('rule')};
      border-radius: ${token('radius-lg')};
      padding: ${token('space-6')} ${token('space-4')};
      display: grid;
      justify-items: center;
      gap: ${token('space-2')};
      text-align: center;
      background: ${token('surface')};
      margin: ${token('space-3')} 0;
    }
    .drop-zone.over {
      border-color: ${token('accent')};
      background: ${token('highlight')};
    }
    .drop-zone p {
      margin: 0;
    }
    .drop-zone label {
      justify-items: center;
    }
    .reading {
      display: flex;
      flex-wrap: wrap;
      gap: ${token('space-2')} ${token('space-3')};
      align-items: center;
      margin: ${token('space-2')} 0;
    }
    .result h3 {
      font-size: ${token('text-lg')};
      margin: ${token('space-4')} 0 ${token('space-2')};
      overflow-wrap: anywhere;
    }
    .result h4 {
      font-size: ${token('text-md')};
      margin: ${token('space-3')} 0 ${token('space-1')};
    }
    ul.flags,
    ul.problems {
      margin: 0 0 ${token('space-3')};
      padding-left: 1.25rem;
      max-width: ${token('measure')};
    }
    ul.flags li.error,
    ul.problems li.error {
      color: ${token('error')};
    }
    ul.flags li.error::marker {
      content: '✖ ';
    }
    ul.flags li.warning::marker {
      content: '▲ ';
    }
    .figures {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr));
      gap: ${token('space-6')} ${token('space-4')};
      /* A figure with its control above lines its chart up with the one beside it. */
      align-items: end;
      margin: ${token('space-4')} 0;
    }
    details {
      margin: 0 0 ${token('space-3')};
    }
  `,
];
