import { markdownTable } from '@ecs-deploy-kit/shared';

import { seriesTotal } from './evidence.ts';
import type { Evidence } from './evidence.ts';
import type { Comparison } from './compare.ts';
import { decodeHistogram, percentileMs } from './histogram.ts';
import { formatNumber } from './report.ts';
import type { Report } from './report.ts';
import type { LoadData } from './engine.ts';

// GitHub rejects a job summary above 1 MiB; the report stays well under it so other steps can add theirs.
export const SUMMARY_LIMIT_BYTES = 900 * 1024;
const MAX_ROUTES = 50;
const MAX_ERROR_ROWS = 50;
const MAX_TIMELINE = 100;

const VERDICT_TITLE = { pass: 'PASS', fail: 'FAIL', invalid: 'INVALID' } as const;

/** Renders report.md, which is also the job summary: the verdict first, then the detail. */
export function renderReport(report: Report): string {
  const full = renderSections(report, true);
  if (Buffer.byteLength(full, 'utf8') <= SUMMARY_LIMIT_BYTES) return full;
  // Charts are the largest optional part; without them the tables still carry every number.
  const withoutCharts = renderSections(report, false);
  if (Buffer.byteLength(withoutCharts, 'utf8') <= SUMMARY_LIMIT_BYTES) return withoutCharts;
  return truncateUtf8(withoutCharts, SUMMARY_LIMIT_BYTES - 200) + '\n\n_The report was cut to fit the job summary limit; report.json has every number._\n';
}

function renderSections(report: Report, charts: boolean): string {
  const sections = [renderHeader(report), renderThresholds(report), renderRoutes(report), renderErrors(report)];
  if (charts) sections.push(renderCharts(report));
  if (report.evidence) sections.push(renderEvidence(report.evidence));
  if (report.comparison) sections.push(renderComparison(report.comparison));
  return sections.filter((section) => section !== '').join('\n\n') + '\n';
}

function renderHeader(report: Report): string {
  const { summary, data } = report;
  const lines = [`## Load test ${VERDICT_TITLE[report.verdict]}: ${report.scenario} on ${report.target}`, ''];
  for (const reason of report.reasons) lines.push(`- ${reason}`);
  if (report.reasons.length > 0) lines.push('');
  lines.push(
    markdownTable(
      ['Target rate', 'Achieved', 'Requests', 'Dropped (late / in-flight limit)', 'Error rate', 'p50', 'p95', 'p99', 'Generator'],
      [
        [
          `${summary.targetRps}/s`,
          `${summary.achievedRps}/s (${formatNumber(summary.achievedFraction * 100)} %)`,
          `${data.requests} (${summary.requestRps}/s)`,
          `${summary.dropped} (${data.dropped.late} / ${data.dropped.inFlightLimit})`,
          `${formatNumber(summary.errorRate * 100)} %`,
          `${summary.latency.p50Ms} ms`,
          `${summary.latency.p95Ms} ms`,
          `${summary.latency.p99Ms} ms`,
          generatorCell(data.generator),
        ],
      ],
    ),
  );
  lines.push('', `Run ${report.runId}, ${report.startedAt} to ${report.endedAt}, ${report.load.shardCount} job(s). Latency counts from each request's scheduled start.`);
  return lines.join('\n');
}

function renderThresholds(report: Report): string {
  if (report.thresholds.length === 0) return '';
  const rows = report.thresholds.map((result) => [result.source, result.actual === undefined ? 'no data' : (result.display ?? formatNumber(result.actual)), result.passed ? 'pass' : 'FAIL']);
  return ['### Thresholds', '', markdownTable(['Threshold', 'Measured', 'Result'], rows)].join('\n');
}

function renderRoutes(report: Report): string {
  const routes = [...report.summary.routes].sort((a, b) => b.requests - a.requests);
  const rows = routes.slice(0, MAX_ROUTES).map((route) => [
    route.name,
    String(route.requests),
    `${route.errors} (${formatNumber(route.errorRate * 100)} %)`,
    String(route.latency.p50Ms),
    String(route.latency.p90Ms),
    String(route.latency.p95Ms),
    String(route.latency.p99Ms),
    String(route.latency.maxMs),
  ]);
  const lines = ['### Latency by route (ms)', '', markdownTable(['Route', 'Requests', 'Errors', 'p50', 'p90', 'p95', 'p99', 'max'], rows)];
  if (routes.length > MAX_ROUTES) lines.push('', `${routes.length - MAX_ROUTES} more routes with fewer requests are in report.json.`);
  return lines.join('\n');
}

function renderErrors(report: Report): string {
  const rows: string[][] = [];
  for (const route of report.summary.routes) {
    for (const [status, count] of Object.entries(route.statuses)) {
      const code = Number(status);
      if (Number.isInteger(code) && code < 400) continue;
      rows.push([route.name, status, String(count)]);
    }
  }
  if (rows.length === 0) return '### Errors\n\nNo request failed.';
  rows.sort((a, b) => Number(b[2]) - Number(a[2]));
  const lines = ['### Errors by route and status', '', markdownTable(['Route', 'Status', 'Count'], rows.slice(0, MAX_ERROR_ROWS))];
  if (rows.length > MAX_ERROR_ROWS) lines.push('', `${rows.length - MAX_ERROR_ROWS} more rows are in report.json.`);
  return lines.join('\n');
}

/** Mermaid xychart-beta charts of the request rate and latency per window of the run. */
export function renderCharts(report: Report): string {
  const windows = report.data.windows;
  if (windows.length < 2) return '';
  const seconds = report.data.windowMs / 1000;
  const labels = windows.map((window) => String(Math.round(window.startMs / 1000)));
  const rates = windows.map((window) => formatNumber(window.requests / seconds));
  const errors = windows.map((window) => formatNumber(window.errors / seconds));
  const histograms = windows.map((window) => decodeHistogram(window.histogram));
  const p50 = histograms.map((histogram) => formatNumber(percentileMs(histogram, 50)));
  const p99 = histograms.map((histogram) => formatNumber(percentileMs(histogram, 99)));
  const axis = `  x-axis "seconds from start" [${labels.join(', ')}]`;
  return [
    '### Over time',
    '',
    'Requests and errors per second (requests above, errors below):',
    '',
    '```mermaid',
    'xychart-beta',
    '  title "Request rate"',
    axis,
    '  y-axis "per second"',
    `  line [${rates.join(', ')}]`,
    `  line [${errors.join(', ')}]`,
    '```',
    '',
    'Latency p50 and p99 in ms (p99 above), by scheduled start:',
    '',
    '```mermaid',
    'xychart-beta',
    '  title "Latency"',
    axis,
    '  y-axis "ms"',
    `  line [${p50.join(', ')}]`,
    `  line [${p99.join(', ')}]`,
    '```',
  ].join('\n');
}

function renderEvidence(evidence: Evidence): string {
  const lines = ['### Server side', '', `CloudWatch, ${evidence.window.start} to ${evidence.window.end}, ${evidence.window.periodSeconds}-second periods.`, ''];
  const rows = evidence.metrics.map((series) => {
    const total = seriesTotal(series);
    const shown = total === undefined ? 'no data' : `${formatNumber(total)} ${series.unit}`;
    return [series.label, series.stat === 'Sum' ? 'total' : `max of ${series.stat}`, shown, series.values.map((value) => formatNumber(value)).join(', ')];
  });
  lines.push(markdownTable(['Metric', 'Shown', 'Value', 'Per period'], rows));
  for (const problem of evidence.problems) lines.push('', `- ${problem}`);
  lines.push('', '### Scaling and service events', '');
  if (evidence.timeline.length === 0) lines.push('No scaling activity or service event in the window.');
  else {
    lines.push(markdownTable(['Time', 'Source', 'Event'], evidence.timeline.slice(0, MAX_TIMELINE).map((entry) => [entry.time, entry.source, entry.message])));
    if (evidence.timeline.length > MAX_TIMELINE) lines.push('', `${evidence.timeline.length - MAX_TIMELINE} more events are in report.json.`);
  }
  return lines.join('\n');
}

function renderComparison(comparison: Comparison): string {
  const lines = ['### Comparison with the baseline', '', `Baseline: ${comparison.baseline}. Tolerance ${formatNumber(comparison.tolerance * 100)} %.`];
  if (!comparison.conclusive) lines.push('', `**Inconclusive:** ${comparison.reasons.join(' ')}`);
  lines.push(
    '',
    markdownTable(
      ['Metric', 'Route', 'Baseline', 'This run', 'Change', 'Result'],
      comparison.rows.slice(0, MAX_ROUTES * 3).map((row) => [
        row.metric,
        row.route,
        formatNumber(row.baseline),
        formatNumber(row.current),
        row.deltaPercent === undefined ? 'n/a' : `${row.deltaPercent > 0 ? '+' : ''}${row.deltaPercent} %`,
        row.status,
      ]),
    ),
  );
  return lines.join('\n');
}

function truncateUtf8(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text, 'utf8');
  if (buffer.length <= maxBytes) return text;
  // Cutting inside a multi-byte character leaves a replacement character, which is dropped.
  return buffer.subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
}

function generatorCell(generator: LoadData['generator']): string {
  const loop = generator.peakLoopUtilization === undefined ? '' : `, event loop busy ${formatNumber(generator.peakLoopUtilization * 100)} % at peak`;
  const queued = generator.queuedRequests ? `, ${generator.queuedRequests} requests queued for a connection (up to ${generator.maxQueuedMs} ms)` : '';
  return `CPU ${generator.cpuPercent} %, max lag ${generator.maxLagMs} ms${loop}${queued}`;
}
