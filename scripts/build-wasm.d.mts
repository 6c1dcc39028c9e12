/** Absolute path of the AssemblyScript source, src/backends/cpu/wasm/matmul.as.ts. */
export const SOURCE_PATH: string;
/** Absolute path of the generated module, src/backends/cpu/wasm/matmul-wasm.generated.ts. */
export const GENERATED_PATH: string;
/** The asc command-line flags the build uses. */
export const ASC_FLAGS: readonly string[];
/** Compiles matmul.as.ts in memory; resolves to the .wasm bytes. */
export function compileMatmulWasm(): Promise<Uint8Array>;
/** The text of matmul-wasm.generated.ts for `binary`. */
export function renderGeneratedModule(binary: Uint8Array): Promise<string>;
