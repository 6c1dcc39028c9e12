import type { Plugin } from 'vite';
export const UPLOT_INTL_PATCHES: [string, string][];
export function lazyUPlotIntl(source: string): string;
export function uplotLazyIntlPlugin(): Plugin;
