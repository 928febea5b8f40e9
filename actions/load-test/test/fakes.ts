import type { LoadData } from '../src/engine.ts';
import { encodeHistogram } from '../src/histogram.ts';
import { Recorder } from '../src/recorder.ts';
import type { ReportMeta } from '../src/report.ts';

export interface FakeRequest {
  route: string;
  offsetMs: number;
  latencyMs: number;
  status?: string;
  /** Part of the latency spent queued in the generator. */
  queuedMs?: number;
}

/** Builds the raw data of a run from a list of requests, as the engine would record them. */
export function loadDataOf(requests: FakeRequest[], overrides: Partial<LoadData> = {}): LoadData {
  const recorder = new Recorder(1000);
  for (const request of requests) {
    const status = request.status ?? '200';
    const code = Number(status);
    recorder.record(request.route, request.offsetMs, request.latencyMs, status, !(code >= 200 && code < 400), request.queuedMs);
  }
  const routes = recorder.routeData();
  return {
    durationMs: 10_000,
    scheduled: requests.length,
    started: requests.length,
    dropped: { late: 0, inFlightLimit: 0 },
    iterations: { completed: requests.length, failed: 0 },
    requests: requests.length,
    errors: routes.reduce((sum, route) => sum + route.errors, 0),
    routes,
    histogram: encodeHistogram(recorder.overall),
    serviceHistogram: encodeHistogram(recorder.overallService),
    windowMs: 1000,
    windows: recorder.windowData(),
    generator: { maxLagMs: 2, cpuPercent: 10, queuedRequests: recorder.queuedRequests, maxQueuedMs: recorder.maxQueuedMs },
    ...overrides,
  };
}

export function metaOf(overrides: Partial<ReportMeta> = {}): ReportMeta {
  return {
    runId: 'lt-42-1',
    scenario: 'read',
    target: 'http://127.0.0.1:8000',
    startedAt: '2026-12-04T10:00:00.000Z',
    endedAt: '2026-12-04T10:00:10.000Z',
    stages: [{ durationMs: 10_000, targetRps: 10 }],
    startRps: 10,
    shardCount: 1,
    ...overrides,
  };
}

/** Ten requests a second for ten seconds, latency rising with the index. */
export function steadyRequests(route = 'get-quiz', baseMs = 20): FakeRequest[] {
  return Array.from({ length: 100 }, (_, index) => ({ route, offsetMs: index * 100, latencyMs: baseMs + index }));
}
