/**
 * The URL state as a property in the page (docs/reliability.md): the lab opened at query strings
 * drawn by the same generators as the Node properties (tests/property/spec-arbitraries.ts: every
 * field under either of its names, valid and invalid values in every accepted and refused form,
 * unknown keys, `__proto__`) names each bad value in its one alert, exactly as the parser words it,
 * holds the parser's state for everything else, and logs no error. The seed is the property tests'
 * (GRADLAB_FC_SEED picks another; GRADLAB_FC_RUNS scales the number of pages). The same for a
 * figure alone given random attributes through setAttribute.
 */
import { expect, test } from '@playwright/test';
import fc from 'fast-check';
import { describeProblems } from '../src/engine/spec-rules.ts';
import { parseLabState, STATE_ATTRIBUTES } from '../src/ui/lab/lab-state.ts';
import { PROPERTY_SEED } from '../tests/property/config.ts';
import { entriesToInput, fuzzEntries } from '../tests/property/spec-arbitraries.ts';
import { watchPage } from './watch.ts';

/** Pages opened per run: each is a whole lab load. */
const PAGES = Math.round(12 * Number(process.env.GRADLAB_FC_RUNS ?? 1));

test('the lab at random query strings names every bad value and holds the parser’s state', async ({
  page,
}) => {
  test.setTimeout(60_000 + PAGES * 15_000);
  const { errors, foreign } = watchPage(page);
  const samples = fc.sample(fuzzEntries, { seed: PROPERTY_SEED, numRuns: PAGES });
  for (const entries of samples) {
    const input = entriesToInput(entries);
    const query = new URLSearchParams(Object.entries(input)).toString();
    const expected = parseLabState(Object.fromEntries(new URLSearchParams(query)));
    const why = `query ?${query}`;
    // The opening only: the parts below load as a reader nears them.
    await page.goto(`/?${query}#top`);
    await page.waitForFunction(() => customElements.get('grad-lab') !== undefined);
    const alert = page.getByTestId('url-problems');
    if (expected.problems.length > 0) {
      await expect(alert, why).toHaveText(describeProblems(expected.problems, 'URL parameter'));
    } else await expect(alert, why).toHaveCount(0);
    const state = await page.evaluate(() =>
      JSON.stringify((document.querySelector('grad-lab') as unknown as { state: unknown }).state),
    );
    expect(JSON.parse(state), why).toEqual(JSON.parse(JSON.stringify(expected.state)));
  }
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});

test('a figure given random attributes names every bad value and holds the parser’s state', async ({
  page,
}) => {
  test.setTimeout(60_000 + PAGES * 10_000);
  const { errors, foreign } = watchPage(page);
  await page.goto('/e2e/pages/element.html?element=grad-layer-plot&controls=none');
  const figure = page.locator('grad-layer-plot');
  await page.waitForFunction(() => customElements.get('grad-layer-plot') !== undefined);
  const samples = fc.sample(fuzzEntries, { seed: PROPERTY_SEED + 1, numRuns: PAGES });
  for (const entries of samples) {
    // The attributes as the element holds them: HTML lowercases names, and a name that is not
    // one (a space, a leading digit) cannot be set at all.
    const held = await figure.evaluate(
      (element, pairs) => {
        for (const name of element.getAttributeNames())
          if (name !== 'controls') element.removeAttribute(name);
        for (const [name, value] of pairs) {
          try {
            element.setAttribute(name, value);
          } catch {
            // Not an attribute name: nothing to set.
          }
        }
        return element.getAttributeNames().map((name) => [name, element.getAttribute(name)!]);
      },
      Object.entries(entriesToInput(entries)),
    );
    const input = Object.fromEntries(held.filter(([name]) => STATE_ATTRIBUTES.includes(name!)));
    const expected = parseLabState(input);
    const why = `attributes ${JSON.stringify(held)}`;
    const alert = figure.getByTestId('attribute-problems');
    if (expected.problems.length > 0) {
      await expect(alert, why).toHaveText(describeProblems(expected.problems, 'attribute'));
    } else await expect(alert, why).toHaveCount(0);
    // The figure reads its attributes again a moment after they change.
    await expect
      .poll(
        async () =>
          JSON.parse(
            await figure.evaluate((element) =>
              JSON.stringify((element as unknown as { state: unknown }).state),
            ),
          ) as unknown,
        { message: why },
      )
      .toEqual(JSON.parse(JSON.stringify(expected.state)));
  }
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});
