#!/usr/bin/env node
// `npm run audit`: measures the built lab as the web measures pages. Builds the lab (dist/app/),
// serves it as a site would (gzip, cross-origin isolated: scripts/serve-static.mjs), runs
// Lighthouse from npm with the tests' Chromium (CHROMIUM_PATH or /usr/bin/chromium) with its
// default mobile settings and with the desktop preset, and writes the scores, the page's load
// metrics and every audit that is not passed to docs/audit.md (and docs/audit.json).
//   node scripts/audit.mjs [--no-build] [--json-only FILE]
// Scores depend on the machine's speed and load: the performance score is a record, not a test;
// the tests (e2e/audit.spec.ts) assert accessibility and best practices, which do not.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { startStaticServer } from './serve-static.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
const METRICS = [
  'first-contentful-paint',
  'largest-contentful-paint',
  'total-blocking-time',
  'cumulative-layout-shift',
  'speed-index',
];

/** Lighthouse's report for `url` with `config` (undefined: its default, mobile). */
export async function audit(url, config) {
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    chromeFlags: [
      '--headless=new',
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  try {
    const result = await lighthouse(
      url,
      { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: CATEGORIES },
      config,
    );
    return result.lhr;
  } finally {
    await chrome.kill();
  }
}

/** What a report says: the four scores (0–100), the load metrics, and the audits not passed. */
export function summarize(lhr) {
  const scores = Object.fromEntries(
    CATEGORIES.map((id) => [id, Math.round((lhr.categories[id]?.score ?? 0) * 100)]),
  );
  const metrics = Object.fromEntries(
    METRICS.map((id) => [id, lhr.audits[id]?.displayValue ?? 'n/a']),
  );
  const failing = [];
  for (const id of CATEGORIES) {
    for (const ref of lhr.categories[id]?.auditRefs ?? []) {
      const result = lhr.audits[ref.id];
      if (ref.weight > 0 && result && result.score !== null && result.score < 1) {
        failing.push({ category: id, id: ref.id, title: result.title, score: result.score });
      }
    }
  }
  return { scores, metrics, failing };
}

async function main() {
  if (!process.argv.includes('--no-build')) {
    execFileSync(join(root, 'node_modules', '.bin', 'vite'), ['build'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  const port = 5187;
  const server = await startStaticServer(port, join(root, 'dist', 'app'));
  const url = `http://127.0.0.1:${port}/`;
  try {
    const mobile = summarize(await audit(url));
    const desktop = summarize(await audit(url, desktopConfig));
    const record = {
      date: new Date().toISOString().slice(0, 10),
      machine: `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}`,
      chromium: execFileSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], {
        encoding: 'utf8',
      }).trim(),
      mobile,
      desktop,
    };
    writeFileSync(join(root, 'docs', 'audit.json'), `${JSON.stringify(record, null, 2)}\n`);
    writeFileSync(join(root, 'docs', 'audit.md'), markdown(record));
    console.log(markdown(record));
  } finally {
    server.close();
  }
}

function markdown({ date, machine, chromium, mobile, desktop }) {
  const goals = { performance: '≥ 90', accessibility: '100', 'best-practices': '100', seo: '≥ 90' };
  const met = (id, score) => (id === 'performance' || id === 'seo' ? score >= 90 : score === 100);
  const lines = [
    '# The lab, measured as a web page',
    '',
    '<!-- Written by `npm run audit` (scripts/audit.mjs). Do not edit. -->',
    '',
    `Lighthouse (npm, ${lighthouseVersion()}) on the built lab (\`npm run build\`, served with gzip ` +
      `and cross-origin isolation), ${date}, on this machine: ${machine}, ${chromium}. Mobile is ` +
      'Lighthouse’s default (a throttled mid-range phone); desktop its desktop preset. The ' +
      'performance score depends on the machine and its load, so it is recorded here, not ' +
      'asserted; the tests assert accessibility and best practices (e2e/audit.spec.ts).',
    '',
    '| category | goal | mobile | desktop | |',
    '| --- | --- | ---: | ---: | --- |',
    ...CATEGORIES.map(
      (id) =>
        `| ${id} | ${goals[id]} | ${mobile.scores[id]} | ${desktop.scores[id]} | ${
          met(id, mobile.scores[id]) ? 'met' : 'not met (mobile)'
        } |`,
    ),
    '',
    '| load metric | mobile | desktop |',
    '| --- | ---: | ---: |',
    ...METRICS.map((id) => `| ${id} | ${mobile.metrics[id]} | ${desktop.metrics[id]} |`),
    '',
  ];
  const failing = [...mobile.failing.map((f) => ({ ...f, form: 'mobile' }))];
  for (const f of desktop.failing) failing.push({ ...f, form: 'desktop' });
  lines.push(
    failing.length
      ? '## Audits not passed\n\n| form | category | audit | score |\n| --- | --- | --- | ---: |\n' +
          failing
            .map((f) => `| ${f.form} | ${f.category} | ${f.title} | ${f.score.toFixed(2)} |`)
            .join('\n')
      : 'Every weighted audit passed.',
    '',
  );
  return lines.join('\n');
}

function lighthouseVersion() {
  try {
    return execFileSync(join(root, 'node_modules', '.bin', 'lighthouse'), ['--version'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown version';
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
