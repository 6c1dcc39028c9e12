/**
 * The warm-up every timed implementation of `npm run bench` gets before its timed runs: runs
 * for at least WARM_UP_MS (and at least once; the engine's warmUp), so that what is timed is the
 * steady state.
 *
 * One run was not enough. JavaScript around the kernels (gradlab's lane jobs, TF.js's op
 * dispatch) is optimized by V8 after many calls, on a background thread that takes a core, and
 * a helper thread's code warms up only when it runs. Measured 2026-12-07, 50 × 256 × 64 tanh
 * on two threads, pass by pass after one warm-up pass: 25, 46, 65, 32, 25, 22, 20, 23, 25, 22,
 * 28, 33, 36, 44, 26 … ms, steady at 20–22 ms only after about 25 passes; under `--no-opt` (no
 * optimizing compiler) no such bursts (21–29 ms). After a 1 s warm-up, in the same quiet minutes,
 * the two-thread median was 20.9–21.4 ms (the bench had reported 25.6–33.6 ms in its runs that
 * day; docs/benchmarks.md has the runs since).
 */
export const WARM_UP_MS = 1000;
