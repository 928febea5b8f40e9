import { describe, expect, it } from '@jest/globals';

import { buildReport } from '../src/report.ts';
import { SUMMARY_LIMIT_BYTES, renderReport } from '../src/summary.ts';
import { parseThresholds } from '../src/thresholds.ts';
import { loadDataOf, metaOf, steadyRequests } from './fakes.ts';
import type { FakeRequest } from './fakes.ts';

describe('renderReport', () => {
  it('leads with the verdict and key numbers', () => {
    const report = buildReport(metaOf(), loadDataOf(steadyRequests()), parseThresholds('p(99)<100'));
    const text = renderReport(report);
    expect(text.startsWith('## Load test FAIL: read on http://127.0.0.1:8000\n\n- Threshold p(99)<100 failed: measured 118 ms.\n')).toBe(true);
    expect(text).toContain('| 10/s | 10/s (100 %) | 100 (10/s) | 0 (0 / 0) | 0 % | 69.055 ms |');
    expect(text).toContain('| p(99)<100 | 118 ms | FAIL |');
    expect(text).toContain('| get-quiz | 100 | 0 (0 %) |');
    expect(text).toContain('No request failed.');
  });

  it('shows the generator measures', () => {
    const measured = loadDataOf(steadyRequests(), { generator: { maxLagMs: 12, cpuPercent: 70, loopUtilization: 0.6, peakLoopUtilization: 0.72 } });
    expect(renderReport(buildReport(metaOf(), measured, parseThresholds('')))).toContain('CPU 70 %, max lag 12 ms, event loop busy 72 % at peak');
    expect(renderReport(buildReport(metaOf(), loadDataOf(steadyRequests()), parseThresholds('')))).toContain('CPU 10 %, max lag 2 ms |');
  });

  it('draws rate and latency charts', () => {
    const report = buildReport(metaOf(), loadDataOf(steadyRequests()), parseThresholds(''));
    const text = renderReport(report);
    expect(text).toContain('```mermaid\nxychart-beta\n  title "Request rate"\n  x-axis "seconds from start" [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]');
    expect(text).toContain('  line [10, 10, 10, 10, 10, 10, 10, 10, 10, 10]');
    expect(text).toContain('  title "Latency"');
  });

  it('lists errors by route and status', () => {
    const requests: FakeRequest[] = [
      { route: 'answer', offsetMs: 0, latencyMs: 4, status: '503' },
      { route: 'answer', offsetMs: 0, latencyMs: 4, status: '503' },
      { route: 'answer', offsetMs: 0, latencyMs: 4, status: 'timeout' },
    ];
    const text = renderReport(buildReport(metaOf(), loadDataOf(requests), parseThresholds('')));
    expect(text).toContain('| answer | 503 | 2 |\n| answer | timeout | 1 |');
  });

  it('stays under the summary limit', () => {
    // 600 routes, each with several statuses, and 120 chart windows: far more than a real scenario.
    const requests: FakeRequest[] = [];
    for (let route = 0; route < 600; route++) {
      for (const status of ['200', '404', '500', '503', 'timeout']) requests.push({ route: `route-with-a-long-name-${route}`, offsetMs: (route % 120) * 1000, latencyMs: 10 + route, status });
    }
    const data = loadDataOf(requests, { durationMs: 120_000 });
    const report = buildReport(metaOf({ stages: [{ durationMs: 120_000, targetRps: 125 }] }), data, parseThresholds(''));
    report.evidence = {
      window: { start: '2026-12-04T10:00:00.000Z', end: '2026-12-04T10:03:00.000Z', periodSeconds: 60 },
      metrics: [],
      timeline: Array.from({ length: 5000 }, (_, index) => ({ time: `2026-12-04T10:00:${String(index % 60).padStart(2, '0')}.000Z`, source: 'ecs-service' as const, message: `(service quiz-backend-testing) has started 1 tasks: (task ${index}).` })),
      problems: [],
    };
    const text = renderReport(report);
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(SUMMARY_LIMIT_BYTES).toBeLessThan(1024 * 1024);
    expect(text).toContain('550 more routes with fewer requests are in report.json.');
    expect(text).toContain('4900 more events are in report.json.');
  });
});
