// uPlot makes an Intl.NumberFormat and an Intl.DateTimeFormat when its module is evaluated. The
// first Intl object a page makes loads the locale's data: 30–65 ms on a two-core machine, which
// with the module's own evaluation made one main-thread task of 85–130 ms (the figures issue
// allows none over 50 ms). gradlab's charts format every tick and value themselves and have no
// time axis, so they never use either: the build makes both lazy, made on first use. A pattern
// not found (another uPlot version) fails the build, so this never silently stops applying.

/** uPlot's module-level Intl objects, and what each becomes. */
export const UPLOT_INTL_PATCHES = [
  [
    "const numFormatter = new Intl.NumberFormat(domEnv ? nav.language : 'en-US');\nconst fmtNum = val => numFormatter.format(val);",
    "let numFormatter = null;\nconst fmtNum = val => (numFormatter ??= new Intl.NumberFormat(domEnv ? nav.language : 'en-US')).format(val);",
  ],
  [
    'const localTz = new Intl.DateTimeFormat().resolvedOptions().timeZone;',
    'let localTzName = null;\nconst localTz = () => (localTzName ??= new Intl.DateTimeFormat().resolvedOptions().timeZone);',
  ],
  ['else if (tz == localTz)', 'else if (tz == localTz())'],
];

/** uPlot's source with its Intl objects made on first use. */
export function lazyUPlotIntl(source) {
  let out = source;
  for (const [from, to] of UPLOT_INTL_PATCHES) {
    const at = out.indexOf(from);
    if (at < 0 || out.indexOf(from, at + 1) >= 0) {
      throw new Error(
        `uplot-lazy-intl: expected once in uPlot's module: ${JSON.stringify(from.split('\n')[0])} ` +
          '(a new uPlot version? update scripts/uplot-lazy-intl.mjs)',
      );
    }
    out = out.slice(0, at) + to + out.slice(at + from.length);
  }
  if (/^(const|let) \w+ = new Intl\./m.test(out)) {
    throw new Error('uplot-lazy-intl: uPlot still makes an Intl object when it is evaluated');
  }
  return out;
}

/** A Vite plugin: the lazy Intl objects in the uPlot module of a build. */
export function uplotLazyIntlPlugin() {
  return {
    name: 'gradlab-uplot-lazy-intl',
    apply: 'build',
    transform(code, id) {
      if (!/[\\/]uplot[\\/]dist[\\/]uPlot\.esm\.js$/.test(id)) return null;
      return { code: lazyUPlotIntl(code), map: null };
    },
  };
}
