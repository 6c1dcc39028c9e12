export function compileHints(chunk: { readonly name: string }): string;
