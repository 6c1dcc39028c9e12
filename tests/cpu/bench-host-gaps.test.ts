import { describe, expect, it } from 'vitest';
import { hostGapsLine, measureHostGaps } from '../../bench/host-gaps.ts';

describe('bench host gaps', () => {
  it('spins one thread per core asked and reports each one’s lost time', async () => {
    const gaps = await measureHostGaps(2, 100);
    expect(gaps).toHaveLength(2);
    for (const g of gaps) {
      expect(g.lostPercent).toBeGreaterThanOrEqual(0);
      expect(g.lostPercent).toBeLessThan(100);
      expect(g.longestGapMs).toBeGreaterThanOrEqual(0);
      expect(g.longGapsPerSecond).toBeGreaterThanOrEqual(0);
    }
    expect(hostGapsLine(gaps).split('%')).toHaveLength(3);
  });
});
