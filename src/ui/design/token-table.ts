/**
 * gradlab's design tokens, in one table: a type scale, spacing, radii, surfaces and colours, each
 * with its light and dark value (CSS light-dark(): a figure follows its page's `color-scheme`; the
 * lab sets `light dark`, so it follows the system, and a light-only blog keeps its figures light).
 * System fonts only: nothing is downloaded. No imports, so the lab's build reads it too (the
 * page's :root declarations come from here: vite.config.ts).
 */
export const TOKENS = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif',
  'font-mono': 'ui-monospace, "SF Mono", Menlo, Consolas, monospace',
  // A 1.25 type scale.
  'text-xs': '0.75rem',
  'text-sm': '0.875rem',
  'text-md': '1rem',
  'text-lg': '1.25rem',
  'text-xl': '1.5625rem',
  'text-2xl': '1.953rem',
  'space-1': '0.25rem',
  'space-2': '0.5rem',
  'space-3': '0.75rem',
  'space-4': '1rem',
  'space-6': '1.5rem',
  'space-8': '2rem',
  'space-12': '3rem',
  radius: '6px',
  'radius-lg': '12px',
  /** Prose at a readable measure; figures may break out wider. */
  measure: '68ch',
  'figure-width': '60rem',
  fg: 'light-dark(#1b1f24, #e6edf3)',
  muted: 'light-dark(#57606a, #9ea7b3)',
  bg: 'light-dark(#ffffff, #0d1117)',
  surface: 'light-dark(#f6f8fa, #161b22)',
  'surface-raised': 'light-dark(#ffffff, #1c2230)',
  rule: 'light-dark(#d0d7de, #3d444d)',
  accent: 'light-dark(#0b5cb8, #79c0ff)',
  'on-accent': 'light-dark(#ffffff, #0d1117)',
  'accent-soft': 'light-dark(#e8f1fb, #152337)',
  error: 'light-dark(#b00020, #ff8182)',
  ok: 'light-dark(#1a7f37, #56d364)',
  highlight: 'light-dark(rgba(11, 92, 184, 0.08), rgba(121, 192, 255, 0.1))',
  shadow: 'light-dark(0 8px 28px rgba(27, 31, 36, 0.18), 0 8px 28px rgba(0, 0, 0, 0.6))',
} as const;

/** Every token as a declaration block (the lab page defines them once, on :root). */
export function tokenDeclarations(): string {
  return Object.entries(TOKENS)
    .map(([name, value]) => `--grad-${name}: ${value};`)
    .join('\n');
}
