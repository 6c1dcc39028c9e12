import './ui/grad-lab/define.ts';
