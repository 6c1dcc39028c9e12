/**
 * The run-settings form is code of its own, imported the first time something shows it: the lab's
 * settings panel when it opens, a figure or section alone with `controls="full"`. A reader who
 * never opens the settings never downloads it.
 */
let loading: Promise<unknown> | undefined;

export const loadSpecForm = (): Promise<unknown> => (loading ??= import('./define.ts'));
