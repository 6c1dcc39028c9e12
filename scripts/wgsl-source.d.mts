import type { Plugin } from 'vite';
export function compactWgsl(source: string): string;
export function wgslPlugin(): Plugin;
