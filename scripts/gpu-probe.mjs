#!/usr/bin/env node
// Asks Dawn's Node binding (the `webgpu` package) for an adapter, as the GPU tests do, and prints
// one JSON line: {"available":true,"vendor",…} or {"available":false,"reason"}. Exit status 0
// when there is an adapter. Run it in a process started with the environment of gpu-env.mjs
// (scripts/test.mjs does): the dynamic linker reads LD_LIBRARY_PATH only at process start.
const report = (value, status) => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
  process.exit(status);
};
try {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) report({ available: false, reason: 'Dawn found no adapter' }, 1);
  const { vendor, architecture, description } = adapter.info;
  const isFallbackAdapter = Boolean(adapter.info.isFallbackAdapter ?? adapter.isFallbackAdapter);
  report({ available: true, vendor, architecture, description, isFallbackAdapter }, 0);
} catch (error) {
  report({ available: false, reason: error instanceof Error ? error.message : String(error) }, 1);
}
