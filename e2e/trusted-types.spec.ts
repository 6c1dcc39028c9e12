/**
 * The figures under Trusted Types enforcement, as a blog with a strict policy sets it:
 * e2e/pages/blog.html's Content-Security-Policy has `require-trusted-types-for 'script'` and
 * allows two policies only (`trusted-types gradlab lit-html`), so every blog-page test (figures,
 * figures alone, every element alone) runs under it. Here: the enforcement is real (the page
 * refuses a plain string where HTML or a script URL goes), the figures' runs and a run file's
 * import happen in their workers (started through gradlab's policy, not moved onto the page), and
 * nothing logs an error; and a page that does not allow gradlab's policy still gets its figures,
 * computed on the page.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { watchPage } from './watch.ts';

const STATIC = process.env.GRADLAB_STATIC_URL!;

test.beforeAll(() => {
  execFileSync(join('node_modules', '.bin', 'vite'), ['build', '--config', 'vite.lib.config.ts'], {
    stdio: 'pipe',
  });
});

/** A depth sweep on the CPU (f32, in the CPU worker) and a recorded run (read in the import worker). */
const FIGURES = `
<grad-depth-sweep id="sweep" activation="tanh" depths="2,4" width="16" inputs="16" outputs="2"
  batch="8" backend="cpu" controls="none"></grad-depth-sweep>
<grad-run-file-chart id="run" src="/e2e/pages/digits-mlp.run.jsonl" view="depth"
  controls="none"></grad-run-file-chart>`;

/** blog.html's head (its policy, with `trusted-types` as given) over FIGURES, at test-results/<name>/. */
function blogPage(name: string, trustedTypes: string): string {
  const html = readFileSync(join('e2e', 'pages', 'blog.html'), 'utf8');
  expect(html).toContain("require-trusted-types-for 'script'; trusted-types gradlab lit-html");
  const folder = join(process.cwd(), 'test-results', name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, 'index.html'),
    html
      .replace('trusted-types gradlab lit-html', `trusted-types ${trustedTypes}`)
      .replace(/<main>[\s\S]*<\/main>/, `<main>${FIGURES}</main>`)
      .replace('./blog.css', '/e2e/pages/blog.css')
      .replace('./favicon.svg', '/e2e/pages/favicon.svg'),
  );
  return `${STATIC}/test-results/${name}/index.html`;
}

/** Waits until a figure's chart has drawn lines (x and at least one series). */
async function drawn(page: Page, id: string): Promise<void> {
  await expect
    .poll(
      () =>
        page.locator(`#${id} grad-chart`).evaluate((chart) => {
          const columns = (chart as unknown as { drawnColumns: (number | null)[][] }).drawnColumns;
          return columns.length > 1 && columns[1]!.some((value) => value !== null);
        }),
      { timeout: 60_000, message: `#${id} draws` },
    )
    .toBe(true);
}

/** What the page refuses under enforcement: a string as HTML and as a worker's script URL. */
function refusals(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const refused: string[] = [];
    try {
      document.createElement('div').innerHTML = '<b>x</b>';
    } catch (error) {
      refused.push(`innerHTML: ${(error as Error).name}`);
    }
    try {
      new Worker('/e2e/pages/none.js', { type: 'module' }).terminate();
    } catch (error) {
      refused.push(`Worker: ${(error as Error).name}`);
    }
    return refused;
  });
}

test('under Trusted Types enforcement the figures run and import in their workers, and nothing is refused', async ({
  page,
}) => {
  const { errors, foreign } = watchPage(page);
  const workers: string[] = [];
  page.on('worker', (worker) => workers.push(new URL(worker.url()).pathname));
  await page.goto(blogPage('trusted-types', 'gradlab lit-html'));
  await drawn(page, 'sweep');
  await drawn(page, 'run');
  // The runs were the CPU worker's and the file was read by the import worker: gradlab's policy
  // let both start (a refused worker would have moved the work onto the page, and logged why).
  expect(workers.some((path) => /\/dist\/lib\/workers\/cpu-worker-[\w-]+\.js$/.test(path))).toBe(
    true,
  );
  expect(workers.some((path) => /\/dist\/lib\/workers\/import-worker-[\w-]+\.js$/.test(path))).toBe(
    true,
  );
  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
  // The enforcement is real: the page itself may not do what gradlab does through its policy.
  expect(await refusals(page)).toEqual(['innerHTML: TypeError', 'Worker: TypeError']);
});

test('a page that does not allow gradlab’s policy still gets its figures, computed on the page', async ({
  page,
}) => {
  const { errors } = watchPage(page);
  const workers: string[] = [];
  page.on('worker', (worker) => workers.push(worker.url()));
  await page.goto(blogPage('trusted-types-lit-only', 'lit-html'));
  await drawn(page, 'sweep');
  await drawn(page, 'run');
  expect(workers).toEqual([]);
  // What the browser logs is the refusal of the policy and of each worker, and nothing else.
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors)
    expect(error).toMatch(/TrustedScriptURL|Trusted Type|TrustedTypePolicy|trusted-types/);
});
