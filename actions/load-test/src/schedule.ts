/** One stage of the arrival rate: the rate moves linearly from the previous stage's target to `targetRps` over `durationMs`. */
export interface Stage {
  durationMs: number;
  targetRps: number;
}

/** A stage with both ends of its rate, as the schedule walks it. */
interface Segment {
  startMs: number;
  durationMs: number;
  fromRps: number;
  toRps: number;
  /** Arrivals expected before this segment starts. */
  arrivalsBefore: number;
}

export interface ScheduleOptions {
  stages: readonly Stage[];
  /** Rate at the start of the first stage; equal to the first target for a constant rate. */
  startRps: number;
  /** This generator's share when the rate is split over several jobs: index from 0. */
  shardIndex?: number;
  shardCount?: number;
}

/**
 * The arrival times of an open-model test, in milliseconds from its start. Arrival k happens
 * when the integral of the rate reaches k + phase, so a ramp spaces arrivals by its rate at
 * each moment and N shards with phases 0, 1/N, … interleave into the full rate.
 */
export class ArrivalSchedule {
  readonly durationMs: number;
  readonly expectedArrivals: number;
  private readonly segments: Segment[];
  private readonly scale: number;
  private readonly phase: number;
  private index = 0;
  private segment = 0;

  constructor(options: ScheduleOptions) {
    const shardCount = options.shardCount ?? 1;
    const shardIndex = options.shardIndex ?? 0;
    this.scale = 1 / shardCount;
    this.phase = shardIndex / shardCount;

    this.segments = [];
    let startMs = 0;
    let fromRps = options.startRps;
    let arrivals = 0;
    for (const stage of options.stages) {
      this.segments.push({ startMs, durationMs: stage.durationMs, fromRps, toRps: stage.targetRps, arrivalsBefore: arrivals });
      arrivals += ((fromRps + stage.targetRps) / 2) * (stage.durationMs / 1000);
      startMs += stage.durationMs;
      fromRps = stage.targetRps;
    }
    this.durationMs = startMs;
    this.expectedArrivals = Math.max(0, Math.ceil(arrivals * this.scale - this.phase));
  }

  /** Returns the next arrival time in milliseconds from the start, or undefined after the last one. */
  next(): number | undefined {
    // In units of this shard's arrivals, arrival k is at k + phase of the shard's own count,
    // which is (k + phase) / scale arrivals of the full rate.
    const target = (this.index + this.phase) / this.scale;
    while (this.segment < this.segments.length) {
      const segment = this.segments[this.segment] as Segment;
      const offsetMs = timeToReach(segment, target - segment.arrivalsBefore);
      if (offsetMs !== undefined) {
        this.index += 1;
        return segment.startMs + offsetMs;
      }
      this.segment += 1;
    }
    return undefined;
  }

  /** Returns every arrival time; for tests and small schedules. */
  all(): number[] {
    const times: number[] = [];
    for (let time = this.next(); time !== undefined; time = this.next()) times.push(time);
    return times;
  }
}

/**
 * Solves arrivals(t) = count inside one segment, where the rate is a + b·t (per millisecond)
 * so arrivals(t) = a·t + b·t²/2. Returns undefined when the segment ends first.
 */
function timeToReach(segment: Segment, count: number): number | undefined {
  if (count < 0) return undefined;
  if (count === 0) return 0;
  const a = segment.fromRps / 1000;
  const b = (segment.toRps - segment.fromRps) / 1000 / segment.durationMs;
  let t: number;
  if (b === 0) {
    if (a === 0) return undefined;
    t = count / a;
  } else {
    const discriminant = a * a + 2 * b * count;
    if (discriminant < 0) return undefined;
    const root = Math.sqrt(discriminant);
    // 2c / (a + √(a² + 2bc)) is the quadratic root without the cancellation of (−a + √…) / b.
    if (a + root === 0) return undefined;
    t = (2 * count) / (a + root);
  }
  if (t >= segment.durationMs) return undefined;
  return t;
}
