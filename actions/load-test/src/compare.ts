import type { Report } from './report.ts';

export type ComparisonStatus = 'better' | 'worse' | 'within-tolerance';

export interface ComparisonRow {
  /** `p95-ms` etc. in milliseconds, `error-rate` as a fraction, `achieved` as the share of the target rate started. */
  metric: string;
  /** Route name, or `all`. */
  route: string;
  baseline: number;
  current: number;
  /** (current − baseline) / baseline × 100; undefined when the baseline is 0. */
  deltaPercent?: number;
  status: ComparisonStatus;
}

export interface Comparison {
  /** Source of the baseline: a report.json path or the URL run after the target. */
  baseline: string;
  /** False when rate, scenario or duration differ, so a difference may not come from the service. */
  conclusive: boolean;
  reasons: string[];
  tolerance: number;
  rows: ComparisonRow[];
}

// Changes this small are within tolerance whatever their relative size: on a 2 ms route a
// relative tolerance alone would call scheduling noise a regression.
const LATENCY_FLOOR_MS = 5;
const ERROR_RATE_FLOOR = 0.001;

/**
 * Compares latency percentiles, error rate and the achieved share of the target rate with a
 * baseline run. A change within the tolerance (relative, e.g. 0.1 for 10 %) or within the
 * absolute floors above is reported as within tolerance.
 */
export function compareReports(current: Report, baseline: Report, source: string, tolerance: number): Comparison {
  const reasons: string[] = [];
  if (current.scenario !== baseline.scenario) reasons.push(`The scenarios differ (${current.scenario} vs ${baseline.scenario}).`);
  if (current.summary.targetRps !== baseline.summary.targetRps) reasons.push(`The target rates differ (${current.summary.targetRps}/s vs ${baseline.summary.targetRps}/s).`);
  if (current.load.durationMs !== baseline.load.durationMs) reasons.push(`The durations differ (${current.load.durationMs / 1000} s vs ${baseline.load.durationMs / 1000} s).`);
  if (baseline.verdict === 'invalid') reasons.push('The baseline run was invalid.');

  const rows: ComparisonRow[] = [];
  const add = (metric: string, route: string, baseValue: number, currentValue: number, higherIsWorse: boolean, floor: number): void => {
    rows.push(compareValue(metric, route, baseValue, currentValue, higherIsWorse, tolerance, floor));
  };
  const latencyRows = (route: string, base: Report['summary']['latency'], now: Report['summary']['latency']): void => {
    add('p50-ms', route, base.p50Ms, now.p50Ms, true, LATENCY_FLOOR_MS);
    add('p95-ms', route, base.p95Ms, now.p95Ms, true, LATENCY_FLOOR_MS);
    add('p99-ms', route, base.p99Ms, now.p99Ms, true, LATENCY_FLOOR_MS);
  };

  latencyRows('all', baseline.summary.latency, current.summary.latency);
  add('error-rate', 'all', baseline.summary.errorRate, current.summary.errorRate, true, ERROR_RATE_FLOOR);
  // The share of the target, not the rate itself, so runs at different rates compare by how well each kept up.
  add('achieved', 'all', baseline.summary.achievedFraction, current.summary.achievedFraction, false, 0);
  for (const route of current.summary.routes) {
    const base = baseline.summary.routes.find((item) => item.name === route.name);
    if (base) latencyRows(route.name, base.latency, route.latency);
  }
  return { baseline: source, conclusive: reasons.length === 0, reasons, tolerance, rows };
}

function compareValue(metric: string, route: string, baseline: number, current: number, higherIsWorse: boolean, tolerance: number, floor: number): ComparisonRow {
  const row: ComparisonRow = { metric, route, baseline, current, status: 'within-tolerance' };
  if (baseline !== 0) row.deltaPercent = Math.round(((current - baseline) / baseline) * 1000) / 10;
  let relative = 0;
  if (baseline !== 0) relative = (current - baseline) / baseline;
  else if (current !== 0) relative = Infinity;
  if (Math.abs(relative) > tolerance && Math.abs(current - baseline) > floor) {
    const increased = relative > 0;
    row.status = increased === higherIsWorse ? 'worse' : 'better';
  }
  return row;
}
