import { ActionError } from '@ecs-deploy-kit/shared';

import type { LoadData } from './engine.ts';
import { decodeHistogram, encodeHistogram, mergeEncoded, percentileMs, summarizeHistogram } from './histogram.ts';
import type { LatencySummary } from './histogram.ts';
import type { RouteData, WindowData } from './recorder.ts';
import type { Stage } from './schedule.ts';
import { ENDED_BY_RUN, NOT_SENT } from './http.ts';
import { evaluateThresholds } from './thresholds.ts';
import type { Aggregation, Threshold, ThresholdResult, ThresholdSource } from './thresholds.ts';
import type { Evidence } from './evidence.ts';
import type { Comparison } from './compare.ts';

export const REPORT_SCHEMA = 'ecs-deploy-kit/load-test-report/v1';
// A window in which the generator's event loop was busy at least this share of the time means
// the generator, not the service, set the pace. bench/load-test measured busiest windows of
// 0.49 to 0.87 in runs that kept up and 0.997 to 1 in runs whose latency then grew to seconds.
export const SATURATED_LOOP_UTILIZATION = 0.95;

// An arrival sent more than this after its scheduled time means the generator fell behind, and
// a request queued longer than this in the generator counts as queued. Node's timers add about
// 1 ms; the rest of the margin allows for garbage-collection pauses and short CPU contention on
// a shared runner. The value is a judgement, not a measured bound.
export const LATE_TOLERANCE_MS = 100;

export type Verdict = 'pass' | 'fail' | 'invalid';

export interface RouteSummary {
  name: string;
  requests: number;
  errors: number;
  errorRate: number;
  statuses: Record<string, number>;
  latency: LatencySummary;
}

/** The contents of report.json; docs/load-test.md describes every field. */
export interface Report {
  schema: typeof REPORT_SCHEMA;
  runId: string;
  scenario: string;
  /** Origin and base path of the service under test. */
  target: string;
  startedAt: string;
  endedAt: string;
  /** `shardIndex` (from 0) is set on a shard's own report and absent after a merge or in reports of older versions. */
  load: { stages: Stage[]; startRps: number; peakRps: number; durationMs: number; shardCount: number; shardIndex?: number };
  /** Raw counts and histograms: enough to merge shards or recompute any percentile. */
  data: LoadData;
  summary: {
    /** Mean of the schedule's rate over the duration, in arrivals per second. */
    targetRps: number;
    /** Arrivals started per second. */
    achievedRps: number;
    /** Started arrivals as a fraction of scheduled arrivals. */
    achievedFraction: number;
    requestRps: number;
    errorRate: number;
    dropped: number;
    latency: LatencySummary;
    routes: RouteSummary[];
  };
  thresholds: ThresholdResult[];
  verdict: Verdict;
  /** Reasons the verdict is not pass, as sentences. */
  reasons: string[];
  evidence?: Evidence;
  comparison?: Comparison;
}

export interface ReportMeta {
  runId: string;
  scenario: string;
  target: string;
  startedAt: string;
  endedAt: string;
  stages: Stage[];
  startRps: number;
  shardCount: number;
  /** This job's shard, from 0, when the run was split; absent for a merged report. */
  shardIndex?: number;
}

/** Builds the report from the raw data: summaries, thresholds and the verdict. */
export function buildReport(meta: ReportMeta, data: LoadData, thresholds: readonly Threshold[]): Report {
  const durationS = data.durationMs / 1000;
  const routes = data.routes.map(summarizeRoute);
  const overall = decodeHistogram(data.histogram);
  const dropped = data.dropped.late + data.dropped.inFlightLimit;
  const summary: Report['summary'] = {
    targetRps: round(data.scheduled / durationS, 2),
    achievedRps: round(data.started / durationS, 2),
    achievedFraction: data.scheduled > 0 ? round(data.started / data.scheduled, 4) : 0,
    requestRps: round(data.requests / durationS, 2),
    errorRate: data.requests > 0 ? round(data.errors / data.requests, 5) : 0,
    dropped,
    latency: summarizeHistogram(overall),
    routes,
  };

  const thresholdResults = evaluateThresholds(thresholds, thresholdSource(data, summary));
  const reasons: string[] = [];
  let verdict: Verdict = 'pass';
  const peakLoop = data.generator.peakLoopUtilization;
  if (data.dropped.late > 0) {
    verdict = 'invalid';
    reasons.push(
      `The load generator fell behind its schedule: ${data.dropped.late} arrivals were due more than ${LATE_TOLERANCE_MS} ms before it could send them (largest lag ${data.generator.maxLagMs} ms, generator CPU ${data.generator.cpuPercent} %). These results measure the generator, not the service; lower the rate per job or split it over more jobs with shard.`,
    );
  } else if (peakLoop !== undefined && peakLoop >= SATURATED_LOOP_UTILIZATION) {
    verdict = 'invalid';
    reasons.push(
      `The load generator was saturated: its event loop was busy ${formatNumber(peakLoop * 100)} % of its busiest ${data.windowMs / 1000} s window (generator CPU ${data.generator.cpuPercent} %), so requests waited inside the generator and their latency measures it, not the service. Lower the rate per job or split it over more jobs with shard.`,
    );
  } else if (data.requests === 0) {
    verdict = 'invalid';
    reasons.push('No request was sent, so nothing was measured. Check rate, duration and stages.');
  } else if (failedOnlyInGenerator(thresholds, thresholdResults, data, summary)) {
    verdict = 'invalid';
    const failed = thresholdResults.filter((result) => !result.passed).map((result) => result.source);
    const named = failed.length === 1 ? `Threshold ${failed[0]}` : `Thresholds ${failed.slice(0, -1).join(', ')} and ${failed.at(-1)}`;
    const timedOut = countStatuses(data.routes, ['timeout']);
    reasons.push(
      `${queuedSentence(data)} ${named} failed as recorded, but passed on the service view: latency from when each request went onto a connection, without the requests that the end of the run cut off. So the generator's connection pool limited what this run could measure.` +
        (timedOut > 0 ? ` ${timedOut} sent requests timed out, so the service may also have slowed down; a larger pool will tell.` : '') +
        ` Raise expected-latency (which sizes the pool) or max-connections (its cap), or split the rate over more jobs with shard.`,
    );
  } else {
    for (const result of thresholdResults) {
      if (result.passed) continue;
      verdict = 'fail';
      reasons.push(result.actual === undefined ? `Threshold ${result.source} had no requests to measure.` : `Threshold ${result.source} failed: measured ${result.display ?? formatNumber(result.actual)}.`);
    }
    // The service still failed on its own latency, but the queueing inflated the numbers above.
    if (verdict === 'fail' && (data.generator.queuedRequests ?? 0) > 0) reasons.push(`${queuedSentence(data)} Their latency includes that wait.`);
  }

  const peakRps = Math.max(meta.startRps, ...meta.stages.map((stage) => stage.targetRps));
  return {
    schema: REPORT_SCHEMA,
    runId: meta.runId,
    scenario: meta.scenario,
    target: meta.target,
    startedAt: meta.startedAt,
    endedAt: meta.endedAt,
    load: { stages: meta.stages, startRps: meta.startRps, peakRps, durationMs: data.durationMs, shardCount: meta.shardCount, ...(meta.shardIndex === undefined ? {} : { shardIndex: meta.shardIndex }) },
    data,
    summary,
    thresholds: thresholdResults,
    verdict,
    reasons,
  };
}

function summarizeRoute(route: RouteData): RouteSummary {
  return {
    name: route.name,
    requests: route.requests,
    errors: route.errors,
    errorRate: route.requests > 0 ? round(route.errors / route.requests, 5) : 0,
    statuses: route.statuses,
    latency: summarizeHistogram(decodeHistogram(route.histogram)),
  };
}

/**
 * Returns true when requests queued in the generator and every failed threshold passes when
 * latency is measured less that queueing and requests cut off by the end of the run are left out. Then the service
 * kept its limits and the generator's connection pool made the results fail. Drop and
 * achieved-rate thresholds measure the same either way, so a failed one keeps the run failed.
 */
function failedOnlyInGenerator(thresholds: readonly Threshold[], results: readonly ThresholdResult[], data: LoadData, summary: Report['summary']): boolean {
  if ((data.generator.queuedRequests ?? 0) === 0 || data.serviceHistogram === undefined) return false;
  const failed = thresholds.filter((_threshold, index) => results[index]?.passed === false);
  if (failed.length === 0) return false;
  return evaluateThresholds(failed, thresholdSource(data, summary, 'service')).every((result) => result.passed);
}

function queuedSentence(data: LoadData): string {
  const { generator } = data;
  const unsent = countStatuses(data.routes, [NOT_SENT]);
  const waited = `${generator.queuedRequests} requests waited inside the load generator for more than ${LATE_TOLERANCE_MS} ms, up to ${generator.maxQueuedMs} ms, before a keep-alive connection was free.`;
  if (unsent === 0) return waited;
  return `${waited} ${unsent === 1 ? '1 of them was' : `${unsent} of them were`} still waiting when the run ended, so ${unsent === 1 ? 'it was' : 'they were'} never sent and ${unsent === 1 ? 'counts as an error' : 'count as errors'} with status ${NOT_SENT}.`;
}

/**
 * Measures thresholds on the recorded latency, or with `service` on latency less the time
 * queued in the generator and without the requests that the end of the run cut off.
 */
function thresholdSource(data: LoadData, summary: Report['summary'], latency: 'recorded' | 'service' = 'recorded'): ThresholdSource {
  const histogramOf = (route: string | undefined): string | undefined => {
    if (latency === 'service') return route === undefined ? data.serviceHistogram : data.routes.find((item) => item.name === route)?.serviceHistogram;
    return route === undefined ? data.histogram : data.routes.find((item) => item.name === route)?.histogram;
  };
  return {
    latencyMs(route: string | undefined, aggregation: Aggregation) {
      const encoded = histogramOf(route);
      if (encoded === undefined) return undefined;
      const histogram = decodeHistogram(encoded);
      if (histogram.totalCount === 0) return undefined;
      const latency = summarizeHistogram(histogram);
      switch (aggregation.kind) {
        case 'percentile':
          return percentileMs(histogram, aggregation.percentile);
        case 'avg':
          return latency.meanMs;
        case 'min':
          return latency.minMs;
        case 'max':
          return latency.maxMs;
        case 'med':
          return latency.p50Ms;
        default:
          return undefined;
      }
    },
    errorRate(route: string | undefined) {
      const items = route === undefined ? data.routes : data.routes.filter((candidate) => candidate.name === route);
      // The service view leaves out requests that the end of the run cut off, in both counts:
      // those never sent, and those still in flight. A hung service still shows in timeouts.
      const cutOff = latency === 'service' ? countStatuses(items, ENDED_BY_RUN) : 0;
      const requests = items.reduce((total, item) => total + item.requests, 0) - cutOff;
      const errors = items.reduce((total, item) => total + item.errors, 0) - cutOff;
      return requests > 0 ? errors / requests : undefined;
    },
    dropped: () => summary.dropped,
    achievedFraction: () => summary.achievedFraction,
  };
}

/** Counts the requests of these routes that ended with any of the given statuses. */
export function countStatuses(routes: readonly RouteData[], statuses: readonly string[]): number {
  let count = 0;
  for (const route of routes) for (const status of statuses) count += route.statuses[status] ?? 0;
  return count;
}

/**
 * Adds the raw data of shards that ran the same schedule with different phases. Counts add,
 * and histograms add bucket by bucket, so the merged percentiles equal those of one
 * generator that recorded every request.
 */
export function mergeLoadData(parts: readonly LoadData[]): LoadData {
  const first = parts[0];
  if (!first) throw new ActionError('No report to merge. Give the report.json of every shard in merge.');
  if (parts.some((part) => part.windowMs !== first.windowMs || part.durationMs !== first.durationMs)) {
    throw new ActionError('The reports to merge have different durations or chart windows, so they come from different schedules. Merge only the shards of one run.');
  }

  const sum = (pick: (part: LoadData) => number): number => parts.reduce((total, part) => total + pick(part), 0);
  const routeNames = [...new Set(parts.flatMap((part) => part.routes.map((route) => route.name)))].sort();
  const routes: RouteData[] = routeNames.map((name) => {
    const matching = parts.flatMap((part) => part.routes.filter((route) => route.name === name));
    const statuses: Record<string, number> = {};
    for (const route of matching) for (const [status, count] of Object.entries(route.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
    const merged: RouteData = {
      name,
      requests: matching.reduce((total, route) => total + route.requests, 0),
      errors: matching.reduce((total, route) => total + route.errors, 0),
      statuses,
      histogram: encodeHistogram(mergeEncoded(matching.map((route) => route.histogram))),
    };
    const service = mergeIfAll(matching.map((route) => route.serviceHistogram));
    if (service !== undefined) merged.serviceHistogram = service;
    return merged;
  });

  const windowStarts = [...new Set(parts.flatMap((part) => part.windows.map((window) => window.startMs)))].sort((a, b) => a - b);
  const windows: WindowData[] = windowStarts.map((startMs) => {
    const matching = parts.flatMap((part) => part.windows.filter((window) => window.startMs === startMs));
    return {
      startMs,
      requests: matching.reduce((total, window) => total + window.requests, 0),
      errors: matching.reduce((total, window) => total + window.errors, 0),
      histogram: encodeHistogram(mergeEncoded(matching.map((window) => window.histogram))),
    };
  });

  const merged: LoadData = {
    durationMs: first.durationMs,
    scheduled: sum((part) => part.scheduled),
    started: sum((part) => part.started),
    dropped: { late: sum((part) => part.dropped.late), inFlightLimit: sum((part) => part.dropped.inFlightLimit) },
    iterations: { completed: sum((part) => part.iterations.completed), failed: sum((part) => part.iterations.failed) },
    requests: sum((part) => part.requests),
    errors: sum((part) => part.errors),
    routes,
    histogram: encodeHistogram(mergeEncoded(parts.map((part) => part.histogram))),
    windowMs: first.windowMs,
    windows,
    generator: mergeGenerators(parts.map((part) => part.generator)),
  };
  const service = mergeIfAll(parts.map((part) => part.serviceHistogram));
  if (service !== undefined) merged.serviceHistogram = service;
  return merged;
}

/** Merges histograms when every shard has one; a shard from an older version has none, and a partial sum would mislead. */
function mergeIfAll(encoded: readonly (string | undefined)[]): string | undefined {
  const present = encoded.filter((item) => item !== undefined);
  return present.length === encoded.length ? encodeHistogram(mergeEncoded(present)) : undefined;
}

/** Keeps the worst of each generator measure over the shards, because any saturated shard skews the merged latency. Queued requests add up. */
function mergeGenerators(generators: LoadData['generator'][]): LoadData['generator'] {
  const merged: LoadData['generator'] = {
    maxLagMs: Math.max(...generators.map((generator) => generator.maxLagMs)),
    cpuPercent: Math.max(...generators.map((generator) => generator.cpuPercent)),
  };
  const loops = generators.map((generator) => generator.loopUtilization).filter((value) => value !== undefined);
  const peaks = generators.map((generator) => generator.peakLoopUtilization).filter((value) => value !== undefined);
  if (loops.length > 0) merged.loopUtilization = Math.max(...loops);
  if (peaks.length > 0) merged.peakLoopUtilization = Math.max(...peaks);
  const queued = generators.map((generator) => generator.queuedRequests).filter((value) => value !== undefined);
  const maxQueued = generators.map((generator) => generator.maxQueuedMs).filter((value) => value !== undefined);
  if (queued.length > 0) merged.queuedRequests = queued.reduce((total, value) => total + value, 0);
  if (maxQueued.length > 0) merged.maxQueuedMs = Math.max(...maxQueued);
  return merged;
}

/** Checks that a parsed report.json has the fields this version reads. */
export function parseReport(text: string, source: string): Report {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ActionError(`${source} is not JSON: ${(error as Error).message}. Give a report.json written by this action.`);
  }
  const report = parsed as Partial<Report>;
  if (report.schema !== REPORT_SCHEMA || !report.data || !report.summary || !report.load) {
    throw new ActionError(`${source} is not a load-test report (schema "${String(report.schema)}", expected "${REPORT_SCHEMA}"). Give a report.json written by this action.`);
  }
  return report as Report;
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(round(value, Math.abs(value) < 1 ? 4 : 1));
}
