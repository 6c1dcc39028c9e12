/**
 * The lab page: the design tokens on :root, the page's own styles, the loader (every gradlab
 * element on the page loads as the reader approaches it), and the lab that owns the state.
 */
import 'virtual:grad-tokens.css';
import './page.css';
import './lib/gradlab.ts';
import './ui/grad-lab/define.ts';
