/** What tests of the lab page share: its parts, and the settings panel. */
import { expect, type Page } from '@playwright/test';

/** The lab's parts after the opening, in the chapter's order (their ids, as deep links); the screenshots too. */
export const PARTS = [
  'activations',
  'vanishing',
  'fixes',
  'exercise',
  'chapter',
  'theory',
  'training',
  'speed',
  'run',
] as const;

/** Opens the settings panel (one click away from anywhere) and returns its form. */
export async function openSettings(page: Page) {
  const form = page.locator('grad-lab grad-spec-form');
  if (!(await form.isVisible().catch(() => false))) {
    await page.locator('[data-open-settings]').first().click();
  }
  await expect(form).toBeVisible();
  return form;
}
