import './ui/grad-activations/define.ts';
import './ui/grad-run/define.ts';
