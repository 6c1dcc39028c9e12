/** The lab page's design tokens, from vite.config.ts's designTokens plugin. */
declare module 'virtual:grad-tokens.css';
