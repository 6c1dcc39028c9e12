/** What every browser test watches: errors the page logs or throws, and requests off its origin. */
import type { Page } from '@playwright/test';

export interface PageWatch {
  /** Console errors (with where they were logged) and uncaught exceptions (with their stack). */
  readonly errors: string[];
  /** Requests to anything but the test server (data: and blob: URLs are the page's own). */
  readonly foreign: string[];
}

export function watchPage(page: Page): PageWatch {
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const where = message.location().url;
      errors.push(where ? `${message.text()} (${where})` : message.text());
    }
  });
  page.on('pageerror', (error) => errors.push(`${error.message}\n${error.stack ?? ''}`.trim()));
  page.on('request', (request) => {
    const url = request.url();
    const local = /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url);
    if (!local && !/^(data|blob):/.test(url)) foreign.push(url);
  });
  return { errors, foreign };
}

/** The errors alone, for tests that only check that nothing went wrong. */
export function collectConsoleErrors(page: Page): string[] {
  return watchPage(page).errors;
}
