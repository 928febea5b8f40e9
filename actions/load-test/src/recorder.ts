import { createHistogram, encodeHistogram, recordLatencyMs } from './histogram.ts';
import type { LatencyHistogram } from './histogram.ts';
import { ENDED_BY_RUN } from './http.ts';

/** Counts and latencies of one route (a step name of the scenario). */
export interface RouteRecord {
  requests: number;
  errors: number;
  /** Responses and failures by status code, or by error kind (`timeout`, `ECONNREFUSED`) when no response came. */
  statuses: Map<string, number>;
  histogram: LatencyHistogram;
  /** Latencies less the time each request queued inside the generator (see Recorder.record). */
  serviceHistogram: LatencyHistogram;
}

/** Requests, errors and latencies of one time window, keyed by the windows's index from the start. */
export interface WindowRecord {
  requests: number;
  errors: number;
  histogram: LatencyHistogram;
}

/** Serializable form of a route's record. */
export interface RouteData {
  name: string;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  /** HdrHistogram compressed base64 of latencies in microseconds. */
  histogram: string;
  /** The same for latencies less the time queued in the generator. Absent in reports of older versions. */
  serviceHistogram?: string;
}

export interface WindowData {
  /** Offset of the window's start from the test start, in milliseconds. */
  startMs: number;
  requests: number;
  errors: number;
  histogram: string;
}

/**
 * Collects every request's outcome. Latency is recorded under the window of the request's
 * scheduled start, so a stall shows in the window where the requests were due.
 */
export class Recorder {
  readonly routes = new Map<string, RouteRecord>();
  readonly overall = createHistogram();
  readonly overallService = createHistogram();
  private readonly windows = new Map<number, WindowRecord>();
  readonly windowMs: number;
  private readonly queuedToleranceMs: number;
  /** Requests that queued inside the generator for longer than the tolerance. */
  queuedRequests = 0;
  maxQueuedMs = 0;

  constructor(windowMs: number, queuedToleranceMs = 100) {
    this.windowMs = windowMs;
    this.queuedToleranceMs = queuedToleranceMs;
  }

  /**
   * Records one request. `queuedMs` is the part of `latencyMs` spent inside the generator
   * before the request went onto a connection: starting late and waiting for a free
   * connection. Latency less that time goes into the service histograms.
   */
  record(route: string, offsetMs: number, latencyMs: number, status: string, failed: boolean, queuedMs = 0): void {
    let routeRecord = this.routes.get(route);
    if (!routeRecord) {
      routeRecord = { requests: 0, errors: 0, statuses: new Map(), histogram: createHistogram(), serviceHistogram: createHistogram() };
      this.routes.set(route, routeRecord);
    }
    routeRecord.requests += 1;
    if (failed) routeRecord.errors += 1;
    routeRecord.statuses.set(status, (routeRecord.statuses.get(status) ?? 0) + 1);
    recordLatencyMs(routeRecord.histogram, latencyMs);
    recordLatencyMs(this.overall, latencyMs);

    // A request that the end of the run cut off has no service latency.
    if (!ENDED_BY_RUN.includes(status)) {
      const serviceMs = Math.max(0, latencyMs - queuedMs);
      recordLatencyMs(routeRecord.serviceHistogram, serviceMs);
      recordLatencyMs(this.overallService, serviceMs);
    }
    if (queuedMs > this.queuedToleranceMs) this.queuedRequests += 1;
    if (queuedMs > this.maxQueuedMs) this.maxQueuedMs = queuedMs;

    const index = Math.max(0, Math.floor(offsetMs / this.windowMs));
    let window = this.windows.get(index);
    if (!window) {
      window = { requests: 0, errors: 0, histogram: createHistogram() };
      this.windows.set(index, window);
    }
    window.requests += 1;
    if (failed) window.errors += 1;
    recordLatencyMs(window.histogram, latencyMs);
  }

  routeData(): RouteData[] {
    return [...this.routes.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, record]) => ({
        name,
        requests: record.requests,
        errors: record.errors,
        statuses: Object.fromEntries([...record.statuses.entries()].sort(([a], [b]) => a.localeCompare(b))),
        histogram: encodeHistogram(record.histogram),
        serviceHistogram: encodeHistogram(record.serviceHistogram),
      }));
  }

  windowData(): WindowData[] {
    return [...this.windows.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, window]) => ({ startMs: index * this.windowMs, requests: window.requests, errors: window.errors, histogram: encodeHistogram(window.histogram) }));
  }
}

/** Window length giving at most about 120 points on a chart, in whole seconds. */
export function windowLengthMs(durationMs: number): number {
  return Math.max(1000, Math.ceil(durationMs / 120 / 1000) * 1000);
}
