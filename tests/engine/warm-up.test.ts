import { describe, expect, it } from 'vitest';
import { warmUp } from '../../src/engine/experiment.ts';

describe('warmUp (the bench’s and a benchmark run’s warm-up)', () => {
  it('runs at least once, however short the time', async () => {
    let calls = 0;
    expect(await warmUp(() => calls++, 0)).toBe(1);
    expect(calls).toBe(1);
    // An asynchronous run counts once it has settled.
    let settled = 0;
    expect(
      await warmUp(async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        settled++;
      }, 0),
    ).toBe(1);
    expect(settled).toBe(1);
  });

  it('keeps running until the time has passed, awaiting each run', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const start = performance.now();
    const runs = await warmUp(async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
    }, 40);
    expect(performance.now() - start).toBeGreaterThanOrEqual(40);
    expect(runs).toBeGreaterThan(1);
    expect(maxInFlight).toBe(1);
  });
});
