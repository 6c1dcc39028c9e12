/**
 * The figures' ready queue (src/ui/figure/ready-queue.ts): one turn per frame (here, per task:
 * Node has no frames), the element nearest the viewport first, in the order asked among equals.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readySlot, viewportDistance } from '../../src/ui/figure/ready-queue.ts';

/** An element stand-in laid out at `top` (CSS px from the viewport's top), `height` tall. */
function at(top: number, height = 100, isConnected = true): Element {
  return {
    isConnected,
    getBoundingClientRect: () => ({
      top,
      bottom: top + height,
      width: height === 0 ? 0 : 300,
      height,
    }),
  } as unknown as Element;
}

const globals = globalThis as { innerHeight?: number };

describe('ready queue', () => {
  beforeEach(() => {
    globals.innerHeight = 800;
  });
  afterEach(() => {
    delete globals.innerHeight;
  });

  it('measures how far an element is from the viewport', () => {
    expect(viewportDistance(at(100))).toBe(0);
    expect(viewportDistance(at(790))).toBe(0);
    expect(viewportDistance(at(1300))).toBe(500);
    expect(viewportDistance(at(-400, 100))).toBe(300);
    // Not on the page, not laid out, or no element: nothing to wait for.
    expect(viewportDistance(at(5000, 100, false))).toBe(0);
    expect(viewportDistance(at(5000, 0))).toBe(0);
    expect(viewportDistance(undefined)).toBe(0);
  });

  it('gives one turn per task, nearest the viewport first, then in the order asked', async () => {
    const order: string[] = [];
    const ask = (name: string, element?: Element) =>
      readySlot(element).then(() => order.push(name));
    // A section below the fold asks first; the figure on screen gets its data later.
    const all = [
      ask('below 1', at(1200)),
      ask('below 2', at(1200)),
      ask('far below', at(4000)),
      ask('on screen', at(200)),
      ask('on screen, later', at(300)),
    ];
    await new Promise((resolve) => setTimeout(resolve, 0));
    // One turn has been given at most, and it went to the first element on screen.
    expect(order.length).toBeLessThanOrEqual(1);
    await Promise.all(all);
    expect(order).toEqual(['on screen', 'on screen, later', 'below 1', 'below 2', 'far below']);
  });

  it('serves a caller that asks while others wait, by the same rule', async () => {
    const order: string[] = [];
    const first = readySlot(at(2000)).then(() => order.push('below'));
    const second = readySlot(at(3000)).then(() => order.push('further'));
    await first;
    const late = readySlot(at(0)).then(() => order.push('on screen, asked late'));
    await Promise.all([second, late]);
    expect(order).toEqual(['below', 'on screen, asked late', 'further']);
  });
});
