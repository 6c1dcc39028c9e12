/**
 * The relaxed-SIMD module, in AssemblyScript: the matmul (matmul.as.ts) and the peak loop of its
 * multiply-add, compiled with relaxed SIMD (f32x4.relaxed_madd, a fused multiply-add where the CPU
 * has FMA). It imports the memory of the kernels module (kernels.as.ts) and works on that
 * module's packing area, so an engine with relaxed SIMD runs every other kernel from the plain
 * module and only the products from this one. scripts/build-wasm.mjs builds it into
 * kernels-wasm.generated.ts; wasm-kernels.ts loads it where the engine validates it.
 */
export { matmul } from './matmul.as';
export { peakKernelMulAdd } from './peak.as';
