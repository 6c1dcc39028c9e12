/// <reference lib="webworker" />
/**
 * The run-file import worker: parses a dropped or picked file off the main thread, so that a file
 * of hundreds of megabytes does not freeze the page (protocol: import-protocol.ts).
 */
import type { ImportRequest } from './import-protocol.ts';
import { ImportSessions } from './import-session.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const sessions = new ImportSessions((message, transfer = []) =>
  scope.postMessage(message, transfer),
);

scope.onmessage = (event: MessageEvent<ImportRequest>) => {
  void sessions.handle(event.data);
};
