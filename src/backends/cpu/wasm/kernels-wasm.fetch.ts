/**
 * kernels-wasm.generated.ts as the built CPU worker has it: vite.config.ts and vite.lib.config.ts
 * put this module in its place in worker bundles only (scripts/worker-bundle.mjs). The same two
 * binaries, fetched from the .wasm files that Vite emits beside the worker (same origin, relative
 * to it), rather than embedded as base64, which gzips to half as much again.
 *
 * The worker reads them synchronously, as workers may (a synchronous XMLHttpRequest blocks only
 * the worker), so that it stays one module that runs to its end before it takes a message. With a
 * top-level await instead, a module worker takes messages from the first await on, before its
 * `onmessage` is set, and loses those the page posted at once; and the bundler would split the
 * worker in two files, one more request in a row.
 *
 * Where a request fails (offline, a `connect-src` that forbids it, a server that lacks the file),
 * the binary is empty: wasm-kernels.ts then finds no module it can run, and the worker computes
 * with the TypeScript kernels, which its results name.
 */

const EMPTY = new Uint8Array(0);

function readBinary(url: URL): Uint8Array<ArrayBuffer> {
  let problem: string;
  try {
    const request = new XMLHttpRequest();
    request.open('GET', url, false);
    request.responseType = 'arraybuffer';
    request.send();
    if (request.status === 200) return new Uint8Array(request.response as ArrayBuffer);
    problem = `HTTP ${request.status}`;
  } catch (error) {
    problem = String(error);
  }
  console.warn(
    `gradlab: the WebAssembly kernels ${url.pathname} could not be read (${problem}); the CPU ` +
      'worker computes with its TypeScript kernels',
  );
  return EMPTY;
}

// Written out in full, `new URL('./x.wasm', import.meta.url)` is what Vite emits as an asset
// (`?no-inline`: even in library mode, which would inline it as base64 again).
export const KERNELS_WASM = readBinary(new URL('./kernels.wasm?no-inline', import.meta.url));
export const RELAXED_MATMUL_WASM = readBinary(new URL('./relaxed.wasm?no-inline', import.meta.url));
