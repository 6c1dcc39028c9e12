import type { Plugin } from 'vite';
export function compactCss(text: string): string;
export function compactCssLiterals(source: string): string;
export function cssLiteralsPlugin(): Plugin;
