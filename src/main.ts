/**
 * The lab page: the design tokens on :root, the page's own styles, the loader (every gradlab
 * element on the page loads as the reader approaches it), and the lab that owns the state.
 */
import 'virtual:grad-tokens.css';
import './page.css';
import './lib/gradlab.ts';
import './ui/grad-lab/define.ts';
import { labExperimentRunner } from './ui/lab/run-queue.ts';

// The opening figure's runs need the CPU worker: start it (its script, kernels and threads) while
// the page renders, rather than when the figure first asks (a few hundred ms later).
labExperimentRunner().warmCpu();
