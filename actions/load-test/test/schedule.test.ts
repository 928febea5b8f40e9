import { describe, expect, it } from '@jest/globals';

import { dispatchArrivals } from '../src/engine.ts';
import { ArrivalSchedule } from '../src/schedule.ts';

describe('ArrivalSchedule', () => {
  it('spaces a constant rate evenly', () => {
    const times = new ArrivalSchedule({ stages: [{ durationMs: 1000, targetRps: 4 }], startRps: 4 }).all();
    expect(times).toEqual([0, 250, 500, 750]);
  });

  it('ramps arrivals by the rate at each moment', () => {
    // From 0 to 100/s over 2 s: 100 arrivals, the k-th at sqrt(2k / b) with b = 0.05 per ms².
    const times = new ArrivalSchedule({ stages: [{ durationMs: 2000, targetRps: 100 }], startRps: 0 }).all();
    expect(times).toHaveLength(100);
    expect(times[0]).toBe(0);
    expect(times[50]).toBeCloseTo(Math.sqrt((2 * 50) / 0.00005), 6);
    const firstSecond = times.filter((time) => time < 1000).length;
    expect(firstSecond).toBe(25);
  });

  it('holds and ramps down over stages', () => {
    const schedule = new ArrivalSchedule({
      stages: [
        { durationMs: 1000, targetRps: 10 },
        { durationMs: 1000, targetRps: 10 },
        { durationMs: 1000, targetRps: 0 },
      ],
      startRps: 0,
    });
    const times = schedule.all();
    expect(times).toHaveLength(20);
    expect(times.filter((time) => time >= 1000 && time < 2000)).toHaveLength(10);
    expect(times.every((time, index) => index === 0 || time > (times[index - 1] as number))).toBe(true);
  });

  it('interleaves shards into the full schedule', () => {
    const full = new ArrivalSchedule({ stages: [{ durationMs: 1000, targetRps: 30 }], startRps: 30 }).all();
    const shards = [0, 1, 2].map((shardIndex) => new ArrivalSchedule({ stages: [{ durationMs: 1000, targetRps: 30 }], startRps: 30, shardIndex, shardCount: 3 }));
    expect(shards.map((shard) => shard.expectedArrivals)).toEqual([10, 10, 10]);
    const merged = shards.flatMap((shard) => shard.all()).sort((a, b) => a - b);
    expect(merged).toHaveLength(full.length);
    merged.forEach((time, index) => expect(time).toBeCloseTo(full[index] as number, 6));
  });
});

/** Creates a clock that moves only when the dispatcher waits, plus extra jumps that model a blocked event loop. */
function fakeTime(jumps: Map<number, number> = new Map()) {
  let now = 1000;
  let waits = 0;
  return {
    clock: () => now,
    wait: async (ms: number) => {
      waits += 1;
      now += Math.max(ms, 0.5) + (jumps.get(waits) ?? 0);
    },
  };
}

describe('dispatchArrivals', () => {
  it('starts each arrival at its scheduled time', async () => {
    const time = fakeTime();
    const started: Array<[number, number]> = [];
    const stats = await dispatchArrivals({
      schedule: new ArrivalSchedule({ stages: [{ durationMs: 100, targetRps: 50 }], startRps: 50 }),
      ...time,
      lateToleranceMs: 100,
      maxInFlight: 100,
      inFlight: () => 0,
      start: (iteration, scheduledAt) => started.push([iteration, scheduledAt]),
    });
    expect(started).toEqual([
      [0, 1000],
      [1, 1020],
      [2, 1040],
      [3, 1060],
      [4, 1080],
    ]);
    expect(stats).toMatchObject({ scheduled: 5, started: 5, droppedLate: 0, droppedInFlightLimit: 0, maxLagMs: 0 });
  });

  it('drops arrivals due longer than the tolerance', async () => {
    // The second wait returns 250 ms late, as when the event loop is blocked.
    const time = fakeTime(new Map([[2, 250]]));
    const started: number[] = [];
    const stats = await dispatchArrivals({
      schedule: new ArrivalSchedule({ stages: [{ durationMs: 1000, targetRps: 10 }], startRps: 10 }),
      ...time,
      lateToleranceMs: 100,
      maxInFlight: 100,
      inFlight: () => 0,
      start: (_iteration, scheduledAt) => started.push(scheduledAt - 1000),
    });
    // Due at 200 and 300 while the clock jumped to 450: 200 and 300 are over 100 ms late, 400 is 50 ms late.
    expect(stats.droppedLate).toBe(2);
    expect(stats.scheduled).toBe(10);
    expect(stats.started).toBe(8);
    expect(started).toEqual([0, 100, 400, 500, 600, 700, 800, 900]);
    expect(stats.maxLagMs).toBe(250);
  });

  it('drops arrivals beyond the in-flight limit', async () => {
    const time = fakeTime();
    let inFlight = 0;
    const stats = await dispatchArrivals({
      schedule: new ArrivalSchedule({ stages: [{ durationMs: 1000, targetRps: 10 }], startRps: 10 }),
      ...time,
      lateToleranceMs: 100,
      maxInFlight: 3,
      inFlight: () => inFlight,
      start: () => {
        inFlight += 1;
      },
    });
    expect(stats.started).toBe(3);
    expect(stats.droppedInFlightLimit).toBe(7);
    expect(stats.droppedLate).toBe(0);
  });
});
