/**
 * Writes docs/elements.md from docs/custom-elements.json (the Custom Elements Manifest analyzer's
 * reading of the elements' JSDoc), from the elements' own option tables (read from the classes
 * themselves) and from the tables the shared attributes are parsed with, so the page lists every
 * element, attribute, event, CSS custom property, part and slot as the code has them, with a
 * copy-paste snippet and a screenshot of each element alone.
 *
 *   npm run docs            (analyzer, then this script)
 *   tsx scripts/elements-docs.ts --check   (exit 1 when docs/elements.md is out of date)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { describeRule, DEFAULT_SPEC, SPEC_FIELDS } from '../src/engine/spec.ts';
import { ELEMENT_TAGS, ELEMENTS } from '../src/lib/registry.ts';
import { ASPECT } from '../src/ui/figure/figure-options.ts';
import type { OptionRule } from '../src/ui/figure/figure-options.ts';
import { CONTROLS_LEVELS } from '../src/ui/figure/controls-level.ts';
import { LAB_LIST_FIELDS } from '../src/ui/lab/lab-state.ts';
import { BUDGETS, LOADER_BUDGET } from './bundle-report.mjs';
import { elementModules } from './element-modules.mjs';
import { ELEMENT_EXAMPLES, exampleSnippet } from './element-examples.ts';

interface Described {
  readonly name: string;
  readonly description?: string;
  readonly type?: { readonly text: string };
}

interface Declaration {
  readonly kind: string;
  readonly name: string;
  readonly customElement?: boolean;
  readonly summary?: string;
  readonly description?: string;
  readonly attributes?: readonly Described[];
  readonly events?: readonly Described[];
  readonly cssProperties?: readonly Described[];
  readonly cssParts?: readonly Described[];
  readonly slots?: readonly Described[];
}

/** What the classes themselves say: their own options and the state attributes they read. */
interface FigureClass {
  readonly optionRules?: readonly OptionRule<unknown>[];
  readonly stateReader?: { readonly attributes: readonly string[] };
}

const manifestPath = 'docs/custom-elements.json';
const outputPath = 'docs/elements.md';

const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
  modules: { path: string; declarations?: Declaration[] }[];
};
const declarations = new Map<string, Declaration>();
for (const module of manifest.modules) {
  for (const declaration of module.declarations ?? []) {
    if (declaration.customElement) declarations.set(declaration.name, declaration);
  }
}

const className = (tag: string): string =>
  tag.replace(/(^|-)([a-z])/g, (_match, _dash, letter: string) => letter.toUpperCase());
const oneLine = (text = ''): string =>
  text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
const code = (text: string): string => `\`${text}\``;

const modules = elementModules();

async function figureClass(tag: string): Promise<FigureClass> {
  const module = modules[tag];
  if (!module) return {};
  const path = `../${module.replace(/define\.ts$/, `${tag}.ts`)}`;
  const exports = (await import(path)) as Record<string, FigureClass>;
  return exports[className(tag)] ?? {};
}

function table(title: string, rows: readonly Described[], withType = false): string[] {
  if (rows.length === 0) return [];
  const header = withType ? '| name | type | description |' : '| name | description |';
  const rule = withType ? '| --- | --- | --- |' : '| --- | --- |';
  return [
    `**${title}**`,
    '',
    header,
    rule,
    ...rows.map((row) =>
      withType
        ? `| ${code(row.name)} | ${row.type ? code(row.type.text) : ''} | ${oneLine(row.description)} |`
        : `| ${code(row.name)} | ${oneLine(row.description)} |`,
    ),
    '',
  ];
}

function optionTable(rules: readonly OptionRule<unknown>[]): string[] {
  if (rules.length === 0) return [];
  return [
    '**Attributes of its own**',
    '',
    '| attribute | allowed | default |',
    '| --- | --- | --- |',
    ...rules.map(
      (rule) =>
        `| ${code(rule.attribute)} | ${oneLine(rule.allowed)} | ${
          rule.fallback === null || rule.fallback === undefined
            ? '(derived)'
            : code(rule.format(rule.fallback))
        } |`,
    ),
    '',
  ];
}

async function section(tag: string): Promise<string[]> {
  const element = declarations.get(className(tag));
  if (!element) throw new Error(`docs: no manifest entry for <${tag}> (class ${className(tag)})`);
  const figure = await figureClass(tag);
  const screenshot = `screenshots/elements/${tag}.png`;
  const state = figure.stateReader?.attributes;
  const reads = !state
    ? []
    : state.length > 10
      ? ['It reads every run-spec and list attribute (above).', '']
      : [`It reads ${state.map(code).join(', ')} (as above).`, ''];
  return [
    `### \`<${tag}>\``,
    '',
    element.summary ? `**${oneLine(element.summary)}**` : '',
    '',
    oneLine(element.description),
    '',
    ...(existsSync(`docs/${screenshot}`) ? [`![<${tag}> alone](${screenshot})`, ''] : []),
    '```html',
    exampleSnippet(tag, ELEMENTS[tag as keyof typeof ELEMENTS].shape === 'section' ? '' : 'none'),
    '```',
    '',
    ...reads,
    ...optionTable(figure.optionRules ?? []),
    ...table('Events', element.events ?? [], true),
    ...table('CSS custom properties', element.cssProperties ?? []),
    ...table('Parts', element.cssParts ?? []),
    ...table('Slots', element.slots ?? []),
  ];
}

const figures = ELEMENT_TAGS.filter((tag) => ELEMENTS[tag].shape !== 'section');
const sections = ELEMENT_TAGS.filter((tag) => ELEMENTS[tag].shape === 'section');
const kb = (bytes: number) => `${bytes / 1000} KB`;

const lines = [
  '# gradlab elements',
  '',
  '<!-- Generated by `npm run docs` from the JSDoc of src/ui/, the elements’ option tables and the spec tables. Do not edit. -->',
  '',
  'Every chart of the lab is an element that works alone. Copy the folder `dist/lib/` (from ' +
    '`npm run build`) to your site and add one script tag; then place any element, sized to your ' +
    'column:',
  '',
  '```html',
  '<script type="module" src="/gradlab/gradlab.js"></script>',
  exampleSnippet('grad-depth-sweep'),
  '```',
  '',
  `\`gradlab.js\` is a small loader (${kb(LOADER_BUDGET)} at most, gzipped) that knows every tag. ` +
    'It imports an element’s code only when such an element is on the page and within about two ' +
    'viewport heights of being seen; chunks and the CPU worker are same-origin files beside it. ' +
    'A page pays only for what it shows. The budgets, gzipped: one `<grad-activation-plot>` ' +
    `${kb(BUDGETS['grad-activation-plot'])} in all, one \`<grad-depth-sweep>\` ` +
    `${kb(BUDGETS['grad-depth-sweep'])} with its worker and WebAssembly kernels, each alone with ` +
    '`controls="none"` (a figure that shows its controls loads about 1 KB more, once per page); ' +
    '`npm run build` prints what each costs against its budget, and the tests measure the ' +
    'transfers in the browser. Nothing is fetched from other origins.',
  '',
  'Bundler users import an element’s module by its package path, ' +
    '`import "gradlab/elements/grad-depth-sweep.js"`, which defines that tag.',
  '',
  "Under a Content-Security-Policy, `worker-src 'self'` lets the CPU run off the main thread (a " +
    'page that forbids workers computes on the page, and the figure says so), and ' +
    "`script-src 'self' 'wasm-unsafe-eval'` the WebAssembly kernels (otherwise a slower TypeScript " +
    'kernel is used). No inline script or style is needed. Under Trusted Types enforcement ' +
    "(`require-trusted-types-for 'script'`) the figures work as they are; a page that lists its " +
    'allowed policies (`trusted-types`) names `gradlab` (which starts gradlab’s own workers) and ' +
    '`lit-html`. Where scripts are not allowed at all, ' +
    'an iframe shows one element: `embed.html?widget=grad-depth-sweep&activation=sigmoid&depths=3,5,10,20`.',
  '',
  'Elements start their runs as they come near the viewport, share one GPU device and one CPU ' +
    'worker, share identical runs, and queue the rest. A figure scrolled far away pauses long ' +
    'work (sweeps, training) and resumes when it returns; a removed one stops its work. Every ' +
    'element fires `grad-run-complete` (a CustomEvent whose `detail` holds what it just drew) when ' +
    'its runs finish, and `grad-state-change` (URL-style entries) when the reader changes one of ' +
    'its settings; an element on its own applies that change to its own attributes.',
  '',
  '## Attributes every element takes',
  '',
  'The same names as the lab’s URL keys and the CLI flags (each element reads those it draws). A ' +
    'bad value is reported inside the element, naming the attribute and what is allowed, and that ' +
    'attribute alone falls back to its default. Changing an attribute redraws the element.',
  '',
  '| attribute | allowed | default | meaning |',
  '| --- | --- | --- | --- |',
  ...SPEC_FIELDS.map(
    (field) =>
      `| ${code(field.name)} | ${oneLine(describeRule(field.rule))} | ${code(String(DEFAULT_SPEC[field.key]))} | ${oneLine(field.help)} |`,
  ),
  ...LAB_LIST_FIELDS.map(
    (field) =>
      `| ${code(field.name)} | ${oneLine(field.allowed)} | ${code(field.default)} | ${oneLine(field.help)} |`,
  ),
  `| ${code('controls')} | one of ${CONTROLS_LEVELS.join(', ')} | ${code('compact')} | what the reader may change: nothing (the figure alone: chart, axis titles, legend, a one-line caption), the figure’s own controls, or also every run setting |`,
  `| ${code('export')} | present or absent | absent | CSV, JSON and PNG buttons and an Embed action |`,
  `| ${code('aspect')} | ${oneLine(ASPECT.allowed)} | ${code('16:10')} | the figure’s box: its width ÷ aspect, never under 15rem, reserved before it draws |`,
  `| ${code('caption')} | any text | the figure’s own | replaces the one-line caption (so does the element’s text content) |`,
  '',
  'Every element follows its page’s `color-scheme` (light, dark, or the system’s with ' +
    '`light dark`) and reads the design tokens `--grad-fg`, ' +
    '`--grad-bg`, `--grad-font`, `--grad-error`, `--grad-ok`, `--grad-rule`, `--grad-accent`, ' +
    '`--grad-series-1` … (colours of series by place) and `--grad-series-<name>` (by quantity: ' +
    '`--grad-series-sigmoid`, `--grad-series-he`…; the default palette is Okabe–Ito, one hue per ' +
    'quantity in every figure).',
  '',
  '## Figures',
  '',
  ...(await Promise.all(figures.map(section))).flat(),
  '## Sections',
  '',
  'The lab’s sections are compositions of the figures above with the lab’s prose; each is an ' +
    'element too.',
  '',
  ...(await Promise.all(sections.map(section))).flat(),
  '## Building blocks',
  '',
  'Defined too, and used inside the figures.',
  '',
  ...(
    await Promise.all(
      ['grad-chart', 'grad-spec-form'].map(async (tag) => {
        const element = declarations.get(className(tag))!;
        return [
          `### \`<${tag}>\``,
          '',
          element.summary ? `**${oneLine(element.summary)}**` : '',
          '',
          oneLine(element.description),
          '',
          ...table('Attributes', element.attributes ?? [], true),
          ...table('Events', element.events ?? [], true),
          ...table('CSS custom properties', element.cssProperties ?? []),
          ...table('Parts', element.cssParts ?? []),
          ...table('Slots', element.slots ?? []),
        ];
      }),
    )
  ).flat(),
];

const missing = ELEMENT_TAGS.filter((tag) => !(tag in ELEMENT_EXAMPLES));
if (missing.length) throw new Error(`docs: no example for ${missing.join(', ')}`);

const output = await format(lines.join('\n'), {
  ...(await resolveConfig(outputPath)),
  parser: 'markdown',
});

if (process.argv.includes('--check')) {
  const current = readFileSync(outputPath, 'utf8');
  if (current !== output) {
    console.error(`${outputPath} is out of date: run npm run docs`);
    process.exit(1);
  }
} else {
  writeFileSync(outputPath, output);
  console.log(`wrote ${outputPath} (${ELEMENT_TAGS.length} elements)`);
}
