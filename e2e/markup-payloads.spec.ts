/**
 * Values are never markup (docs/reliability.md, security): markup and script payloads given to
 * every query key of the lab, as query keys themselves, to every attribute of a figure alone and
 * to the embed route are shown as text — the messages quote them — and nothing runs: no payload
 * sets its flag, no element anywhere (shadow roots included) carries an inline event handler, and
 * no element the payloads name appears.
 */
import { expect, test, type Page } from '@playwright/test';
import { SPEC_FIELDS } from '../src/engine/spec.ts';
import { STATE_ATTRIBUTES } from '../src/ui/lab/lab-state.ts';
import { watchPage } from './watch.ts';

/** Each sets window.gradlabPwned if it ever runs. */
const PAYLOADS = [
  '<img src=x onerror="window.gradlabPwned=1">',
  '"><script>window.gradlabPwned=1</script>',
  "'><svg onload=window.gradlabPwned=1>",
  'javascript:window.gradlabPwned=1',
  '<iframe srcdoc="<script>parent.gradlabPwned=1</script>"></iframe>',
  '${window.gradlabPwned=1}{{constructor.constructor("window.gradlabPwned=1")()}}',
];

/** Whether anything ran or was built from a payload, searching every shadow root. */
function injected(page: Page): Promise<{ pwned: boolean; handlers: string[]; elements: string[] }> {
  return page.evaluate(() => {
    const all = (root: ParentNode): Element[] =>
      [...root.querySelectorAll('*')].flatMap((element) => [
        element,
        ...(element.shadowRoot ? all(element.shadowRoot) : []),
      ]);
    const elements = all(document);
    return {
      pwned: (window as unknown as { gradlabPwned?: unknown }).gradlabPwned !== undefined,
      handlers: elements.flatMap((element) =>
        element
          .getAttributeNames()
          .filter((name) => name.startsWith('on'))
          .map((name) => `${element.localName}[${name}]`),
      ),
      elements: elements
        .filter(
          (element) =>
            (element.localName === 'img' && element.getAttribute('src') === 'x') ||
            element.localName === 'iframe' ||
            (element.localName === 'script' &&
              (element.textContent ?? '').includes('gradlabPwned')),
        )
        .map((element) => element.outerHTML.slice(0, 80)),
    };
  });
}

async function expectNothingRan(page: Page, why: string): Promise<void> {
  // Time for an image error or a load event to fire, had anything been built.
  await page.waitForTimeout(300);
  expect(await injected(page), why).toEqual({ pwned: false, handlers: [], elements: [] });
}

/** Every key a lab URL reads: each field under both its names, and the lists. */
const QUERY_KEYS = [
  ...new Set([...SPEC_FIELDS.flatMap((field) => [field.name, field.key]), ...STATE_ATTRIBUTES]),
];

test('the lab shows payloads in every query key, and payloads as keys, as text', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const { errors, foreign } = watchPage(page);
  for (const payload of PAYLOADS) {
    const query = new URLSearchParams([
      ...QUERY_KEYS.map((key): [string, string] => [key, payload]),
      [payload, '1'],
    ]);
    await page.goto(`/?${query}#top`);
    const alert = page.getByTestId('url-problems');
    await expect(alert).toBeVisible();
    // Quoted as the parser quotes a value (JSON), so the message holds the payload's own text.
    await expect(alert).toContainText(JSON.stringify(payload));
    await expectNothingRan(page, payload);
  }
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});

test('a figure alone shows payloads in every attribute as text, its caption included', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const { errors, foreign } = watchPage(page);
  await page.goto('/e2e/pages/element.html?element=grad-layer-plot&controls=none');
  await page.waitForFunction(() => customElements.get('grad-layer-plot') !== undefined);
  const figure = page.locator('grad-layer-plot');
  const names = [...STATE_ATTRIBUTES, 'controls', 'aspect', 'stat', 'export', 'x-axis'];
  for (const payload of PAYLOADS) {
    await figure.evaluate(
      (element, [list, value]) => {
        for (const name of list as string[]) element.setAttribute(name, value as string);
      },
      [names, payload] as const,
    );
    await expect(figure.getByTestId('attribute-problems')).toContainText(JSON.stringify(payload));
    await expectNothingRan(page, payload);
    // The caption is the reader's own text: shown as given, never parsed.
    await figure.evaluate((element, value) => element.setAttribute('caption', value), payload);
    await figure.evaluate((element) => element.setAttribute('controls', 'none'));
    await expect(figure.locator('figcaption')).toHaveText(payload);
    await expectNothingRan(page, `caption ${payload}`);
    await figure.evaluate((element) => element.removeAttribute('caption'));
  }
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});

test('the embed route names a payload widget as text and runs nothing', async ({ page }) => {
  const { errors, foreign } = watchPage(page);
  for (const payload of PAYLOADS) {
    await page.goto(`/embed.html?${new URLSearchParams({ widget: payload, depth: payload })}`);
    await expect(page.getByRole('alert').first()).toContainText(JSON.stringify(payload));
    await expectNothingRan(page, payload);
  }
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});
