/**
 * For a figure whose plan computes on the page (theory by quadrature, tens of milliseconds while a
 * page's code is still cold): the computation runs in a task of its own after the figure's update,
 * so that neither the drawing nor the computation makes one long task with the other.
 */
import type { ReactiveElement } from 'lit';
import { nextTask } from './ready-queue.ts';

/**
 * Runs `work` a task from now, then redraws `figure`, unless `plan()` has changed meanwhile (a
 * newer plan has its own) or the figure has left the page.
 */
export function planInNextTask(
  figure: ReactiveElement,
  plan: () => string,
  work: () => void,
): void {
  const planned = plan();
  void nextTask().then(() => {
    if (plan() !== planned || !figure.isConnected) return;
    work();
    figure.requestUpdate();
  });
}
