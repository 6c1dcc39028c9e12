/**
 * Which CPU worker file a page starts. gradlab's builds (the lab, dist/lib/) put the worker in a
 * workers/ folder, with the files it reads beside it: its WebAssembly kernels, and its threads and
 * rarer jobs as chunks, each fetched only when used. A package consumer's bundler copies a worker
 * file alone into its own assets, without those; there the worker in one file
 * (cpu-worker-whole.ts) is started instead, which needs nothing beside it. Vite's dev server
 * serves the sources (`?worker_file`), with everything the worker imports.
 */
export function workerFile(split: string, whole: string): string {
  return /\/workers\/|[?&]worker_file\b/.test(split) ? split : whole;
}
