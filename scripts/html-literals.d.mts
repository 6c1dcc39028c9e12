import type { Plugin } from 'vite';
export function compactHtml(text: string): string;
export function compactHtmlLiterals(source: string, fileName?: string): string;
export function htmlLiteralsPlugin(): Plugin;
