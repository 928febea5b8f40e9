import type { Report } from './report.ts';

export type ComparisonStatus = 'better' | 'worse' | 'within-tolerance';

export interface ComparisonRow {
  /** `p95` etc. in milliseconds, `error-rate` as a fraction, `achieved-rps` per second. */
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

/**
 * Compares latency percentiles, error rate and achieved rate with a baseline run. A change
 * within the tolerance (relative, e.g. 0.1 for 10 %) is reported as within tolerance.
 */
export function compareReports(current: Report, baseline: Report, source: string, tolerance: number): Comparison {
  const reasons: string[] = [];
  if (current.scenario !== baseline.scenario) reasons.push(`The scenarios differ (${current.scenario} vs ${baseline.scenario}).`);
  if (current.summary.targetRps !== baseline.summary.targetRps) reasons.push(`The target rates differ (${current.summary.targetRps}/s vs ${baseline.summary.targetRps}/s).`);
  if (current.load.durationMs !== baseline.load.durationMs) reasons.push(`The durations differ (${current.load.durationMs / 1000} s vs ${baseline.load.durationMs / 1000} s).`);
  if (baseline.verdict === 'invalid') reasons.push('The baseline run was invalid.');

  const rows: ComparisonRow[] = [];
  const add = (metric: string, route: string, baseValue: number, currentValue: number, higherIsWorse: boolean): void => {
    rows.push(compareValue(metric, route, baseValue, currentValue, higherIsWorse, tolerance));
  };
  const latencyRows = (route: string, base: Report['summary']['latency'], now: Report['summary']['latency']): void => {
    add('p50-ms', route, base.p50Ms, now.p50Ms, true);
    add('p95-ms', route, base.p95Ms, now.p95Ms, true);
    add('p99-ms', route, base.p99Ms, now.p99Ms, true);
  };

  latencyRows('all', baseline.summary.latency, current.summary.latency);
  add('error-rate', 'all', baseline.summary.errorRate, current.summary.errorRate, true);
  add('achieved-rps', 'all', baseline.summary.achievedRps, current.summary.achievedRps, false);
  for (const route of current.summary.routes) {
    const base = baseline.summary.routes.find((item) => item.name === route.name);
    if (base) latencyRows(route.name, base.latency, route.latency);
  }
  return { baseline: source, conclusive: reasons.length === 0, reasons, tolerance, rows };
}

function compareValue(metric: string, route: string, baseline: number, current: number, higherIsWorse: boolean, tolerance: number): ComparisonRow {
  const row: ComparisonRow = { metric, route, baseline, current, status: 'within-tolerance' };
  if (baseline !== 0) row.deltaPercent = Math.round(((current - baseline) / baseline) * 1000) / 10;
  let relative = 0;
  if (baseline !== 0) relative = (current - baseline) / baseline;
  else if (current !== 0) relative = Infinity;
  if (Math.abs(relative) > tolerance) {
    const increased = relative > 0;
    row.status = increased === higherIsWorse ? 'worse' : 'better';
  }
  return row;
}
