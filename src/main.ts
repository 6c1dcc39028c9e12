import './ui/grad-run/define.ts';
