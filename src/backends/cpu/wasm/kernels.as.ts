/**
 * The CPU backend's WebAssembly module, in AssemblyScript: its exports are the module's.
 * scripts/build-wasm.mjs compiles it with SIMD128 into kernels-wasm.generated.ts; relaxed.as.ts
 * is the small relaxed-SIMD module that works on this one's memory.
 */
export { matmul, packingArea, resultsArea, scratchEnd } from './matmul.as';
export { activate, deadRows } from './activation.as';
export { centeredSquares, delta, sumOfSquares } from './reduce.as';
export { peakMulAdd } from './peak.as';
