/**
 * The lab's run-file importer: a RunImporter on the import worker, a module worker loaded from its
 * own same-origin file (like the CPU worker: a page's policy needs only `worker-src 'self'`).
 */
import { RunImporter } from './import-client.ts';

export function createRunImporter(): RunImporter {
  return new RunImporter(
    () =>
      new Worker(new URL('./import-worker.ts', import.meta.url), {
        type: 'module',
        name: 'gradlab-import',
      }),
  );
}
