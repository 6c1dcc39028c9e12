// V8's per-file compile hint: a chunk that starts with `//# allFunctionsCalledOnLoad` has every
// function compiled on the thread that streams the script (Chromium 136 and later), instead of
// lazily on the main thread when first called. uPlot's chart is one closure of ~3,000 lines that a
// page calls as soon as the chunk arrives: compiled lazily, a page's first `new uPlot` took 8–65 ms
// on a two-core machine (the page's longest task where a figure ran over 50 ms); with the hint,
// 4–13 ms. Other browsers ignore the comment.

/**
 * The output's `postBanner` (added after minifying, which drops comments): the hint for the chunks
 * whose code runs as soon as they load.
 */
export function compileHints(chunk) {
  return /^uPlot/.test(chunk.name) ? '//# allFunctionsCalledOnLoad' : '';
}
