/** The two WebAssembly modules: entry file (in src/backends/cpu/wasm) and their own asc flags. */
export const MODULES: {
  readonly kernels: { readonly entry: string; readonly flags: readonly string[] };
  readonly relaxed: { readonly entry: string; readonly flags: readonly string[] };
};
/** Absolute path of the generated module, src/backends/cpu/wasm/kernels-wasm.generated.ts. */
export const GENERATED_PATH: string;
/** Absolute paths of the .wasm files beside it: kernels.wasm and relaxed.wasm. */
export const BINARY_PATHS: { readonly kernels: string; readonly relaxed: string };
/** The asc command-line flags both modules use. */
export const ASC_FLAGS: readonly string[];
/** Compiles one module in memory; resolves to the .wasm bytes. */
export function compileWasmModule(name: 'kernels' | 'relaxed'): Promise<Uint8Array>;
/** The text of kernels-wasm.generated.ts for the kernels and the relaxed binary. */
export function renderGeneratedModule(kernels: Uint8Array, relaxed: Uint8Array): Promise<string>;
