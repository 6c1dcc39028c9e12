/**
 * The lab's run-file importer: a RunImporter on the import worker, a module worker loaded from its
 * own same-origin file (like the CPU worker: a page's policy needs only `worker-src 'self'`).
 */
import { startModuleWorker } from '../backends/worker-script.ts';
import { RunImporter } from './import-client.ts';
import importWorkerUrl from './import-worker.ts?worker&url';

export function createRunImporter(): RunImporter {
  return new RunImporter(() => startModuleWorker(importWorkerUrl, 'gradlab-import'));
}
