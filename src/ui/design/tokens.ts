/**
 * The design tokens (token-table.ts) as components read them: `var(--grad-<name>, <default>)`
 * through `token()`, so a page may set any of them, and a figure embedded in a page without them
 * still looks right.
 */
import { unsafeCSS, type CSSResult } from 'lit';
import { TOKENS } from './token-table.ts';

export { TOKENS };

export type TokenName = keyof typeof TOKENS;

/** A token for a component's stylesheet: the page's value, else gradlab's. */
export function token(name: TokenName): CSSResult {
  return unsafeCSS(`var(--grad-${name}, ${TOKENS[name]})`);
}
