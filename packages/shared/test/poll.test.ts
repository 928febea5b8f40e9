import { describe, expect, it } from '@jest/globals';

import { poll } from '../src/index.ts';

function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

describe('poll', () => {
  it('returns the first defined value', async () => {
    const time = fakeTime();
    let calls = 0;
    const result = await poll(async () => (++calls === 3 ? 'done' : undefined), {
      intervalMs: 10_000,
      timeoutMs: 60_000,
      jitter: 0,
      ...time,
    });
    expect(result).toEqual({ status: 'done', value: 'done', elapsedMs: 20_000, checks: 3 });
    expect(time.sleeps).toEqual([10_000, 10_000]);
  });

  it('checks once more at the deadline', async () => {
    const time = fakeTime();
    const result = await poll(async () => undefined, { intervalMs: 10_000, timeoutMs: 25_000, jitter: 0, ...time });
    expect(result.status).toBe('timeout');
    expect(time.sleeps).toEqual([10_000, 10_000, 5_000]);
    expect(result.checks).toBe(4);
  });

  it('keeps jitter within its fraction', async () => {
    const time = fakeTime();
    const randoms = [0, 1, 0.5];
    await poll(async () => undefined, {
      intervalMs: 10_000,
      timeoutMs: 29_000,
      jitter: 0.2,
      random: () => randoms.shift() ?? 0.5,
      ...time,
    });
    expect(time.sleeps).toEqual([8_000, 12_000, 9_000]);
  });

  it('stops when cancelled', async () => {
    const time = fakeTime();
    let cancelled = false;
    const result = await poll(
      async () => {
        cancelled = true;
        return undefined;
      },
      { intervalMs: 1_000, timeoutMs: 60_000, jitter: 0, cancelled: () => cancelled, ...time },
    );
    expect(result.status).toBe('cancelled');
    expect(result.checks).toBe(1);
  });
});
