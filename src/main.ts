import './lib/gradlab.ts';
import './ui/grad-lab/define.ts';
