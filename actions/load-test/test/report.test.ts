import { describe, expect, it } from '@jest/globals';

import { compareReports } from '../src/compare.ts';
import { buildReport, mergeLoadData, parseReport } from '../src/report.ts';
import { parseThresholds } from '../src/thresholds.ts';
import { loadDataOf, metaOf, steadyRequests } from './fakes.ts';
import type { FakeRequest } from './fakes.ts';

const DEFAULTS = parseThresholds('');

describe('buildReport', () => {
  it('passes a run within thresholds', () => {
    const report = buildReport(metaOf(), loadDataOf(steadyRequests()), DEFAULTS);
    expect(report.verdict).toBe('pass');
    expect(report.reasons).toEqual([]);
    expect(report.summary).toMatchObject({ targetRps: 10, achievedRps: 10, achievedFraction: 1, errorRate: 0, dropped: 0 });
    expect(report.summary.latency.p50Ms).toBeCloseTo(69, 0);
    expect(report.summary.latency.p99Ms).toBeCloseTo(118, 0);
  });

  it('fails on a threshold and says which', () => {
    const report = buildReport(metaOf(), loadDataOf(steadyRequests()), parseThresholds('p(99)<100'));
    expect(report.verdict).toBe('fail');
    expect(report.reasons).toEqual(['Threshold p(99)<100 failed: measured 118 ms.']);
  });

  it('counts errors by route and status', () => {
    const requests: FakeRequest[] = [...steadyRequests(), { route: 'answer', offsetMs: 50, latencyMs: 5, status: '503' }, { route: 'answer', offsetMs: 60, latencyMs: 10_000, status: 'timeout' }];
    const report = buildReport(metaOf(), loadDataOf(requests), DEFAULTS);
    const answer = report.summary.routes.find((route) => route.name === 'answer');
    expect(answer).toMatchObject({ requests: 2, errors: 2, errorRate: 1, statuses: { '503': 1, timeout: 1 } });
    expect(report.summary.errorRate).toBeCloseTo(2 / 102, 5);
    expect(report.verdict).toBe('fail');
  });

  it('calls a run with late arrivals invalid', () => {
    const data = loadDataOf(steadyRequests(), { scheduled: 120, dropped: { late: 20, inFlightLimit: 0 }, generator: { maxLagMs: 340, cpuPercent: 99 } });
    const report = buildReport(metaOf(), data, DEFAULTS);
    expect(report.verdict).toBe('invalid');
    expect(report.reasons[0]).toContain('The load generator fell behind its schedule: 20 arrivals');
    expect(report.reasons[0]).toContain('largest lag 340 ms, generator CPU 99 %');
  });

  it('calls a saturated generator invalid', () => {
    const data = loadDataOf(steadyRequests(), { generator: { maxLagMs: 20, cpuPercent: 97, loopUtilization: 0.91, peakLoopUtilization: 0.998 } });
    const report = buildReport(metaOf(), data, DEFAULTS);
    expect(report.verdict).toBe('invalid');
    expect(report.reasons[0]).toContain('The load generator was saturated: its event loop was busy 99.8 % of its busiest');
  });

  it('passes a busy but unsaturated generator', () => {
    const data = loadDataOf(steadyRequests(), { generator: { maxLagMs: 20, cpuPercent: 80, loopUtilization: 0.7, peakLoopUtilization: 0.9 } });
    expect(buildReport(metaOf(), data, DEFAULTS).verdict).toBe('pass');
  });

  it('calls a run limited by its connections invalid', () => {
    // The service responded in 20 to 119 ms, but each request first queued 1500 ms for a connection.
    const requests = steadyRequests().map((request) => ({ ...request, latencyMs: request.latencyMs + 1500, queuedMs: 1500 }));
    const report = buildReport(metaOf(), loadDataOf(requests), DEFAULTS);
    expect(report.verdict).toBe('invalid');
    expect(report.reasons).toHaveLength(1);
    expect(report.reasons[0]).toContain('100 requests waited inside the load generator for more than 100 ms, up to 1500 ms');
    expect(report.reasons[0]).toContain('Thresholds p(95)<500 and p(99)<1500 failed as recorded, but passed on the service view');
    expect(report.reasons[0]).not.toContain('timed out');
    expect(report.reasons[0]).toContain('Raise expected-latency (which sizes the pool) or max-connections (its cap)');
    expect(report.thresholds.find((result) => result.source === 'p(95)<500')).toMatchObject({ passed: false });
  });

  it('fails a slow service whose requests also queued', () => {
    const requests = steadyRequests('get-quiz', 600).map((request) => ({ ...request, latencyMs: request.latencyMs + 300, queuedMs: 300 }));
    const report = buildReport(metaOf(), loadDataOf(requests), DEFAULTS);
    expect(report.verdict).toBe('fail');
    expect(report.reasons).toContain('Threshold p(95)<500 failed: measured 994.3 ms.');
    expect(report.reasons.at(-1)).toBe('100 requests waited inside the load generator for more than 100 ms, up to 300 ms, before a keep-alive connection was free. Their latency includes that wait.');
  });

  it('calls requests never sent a generator limit', () => {
    // 20 requests were still queued for a connection when the run ended, so they were never sent.
    const unsent = Array.from({ length: 20 }, (_, index) => ({ route: 'get-quiz', offsetMs: 9000 + index, latencyMs: 1200, queuedMs: 1200, status: 'not-sent' }));
    const report = buildReport(metaOf(), loadDataOf([...steadyRequests(), ...unsent]), DEFAULTS);
    expect(report.verdict).toBe('invalid');
    expect(report.reasons[0]).toContain('20 of them were still waiting when the run ended, so they were never sent and count as errors with status not-sent.');
    expect(report.reasons[0]).toContain('Thresholds p(95)<500 and rate<0.01 failed as recorded, but passed on the service view');
    expect(report.summary.errorRate).toBeCloseTo(20 / 120, 5);
  });

  it('names timeouts when the pool limited the run', () => {
    const queued = steadyRequests().map((request) => ({ ...request, latencyMs: request.latencyMs + 1500, queuedMs: 1500 }));
    const timeout = { route: 'get-quiz', offsetMs: 9500, latencyMs: 3000, queuedMs: 1500, status: 'timeout' };
    const report = buildReport(metaOf(), loadDataOf([...queued, timeout]), parseThresholds('p(95)<500\nrate<0.02'));
    expect(report.verdict).toBe('invalid');
    expect(report.reasons[0]).toContain('1 sent requests timed out, so the service may also have slowed down; a larger pool will tell.');
  });

  it('fails timeouts even when requests queued', () => {
    const timeouts = Array.from({ length: 20 }, (_, index) => ({ route: 'get-quiz', offsetMs: 5000 + index, latencyMs: 1500, queuedMs: 500, status: 'timeout' }));
    const report = buildReport(metaOf(), loadDataOf([...steadyRequests(), ...timeouts]), DEFAULTS);
    expect(report.verdict).toBe('fail');
    expect(report.reasons).toContain('Threshold rate<0.01 failed: measured 16.67 %.');
  });

  it('fails on errors even when requests queued', () => {
    const requests = steadyRequests().map((request, index) => ({ ...request, latencyMs: request.latencyMs + 900, queuedMs: 900, status: index % 10 === 0 ? '503' : '200' }));
    const report = buildReport(metaOf(), loadDataOf(requests), DEFAULTS);
    expect(report.verdict).toBe('fail');
    expect(report.reasons).toContain('Threshold rate<0.01 failed: measured 10 %.');
  });

  it('fails an older report that queued', () => {
    const requests = steadyRequests().map((request) => ({ ...request, latencyMs: request.latencyMs + 900, queuedMs: 900 }));
    const data = loadDataOf(requests);
    delete data.serviceHistogram;
    expect(buildReport(metaOf(), data, DEFAULTS).verdict).toBe('fail');
  });

  it('ignores a short queue', () => {
    const requests = steadyRequests().map((request) => ({ ...request, queuedMs: 50 }));
    const report = buildReport(metaOf(), loadDataOf(requests), parseThresholds('p(99)<100'));
    expect(report.verdict).toBe('fail');
    expect(report.reasons).toEqual(['Threshold p(99)<100 failed: measured 118 ms.']);
  });

  it('fails, not invalid, on in-flight drops', () => {
    const data = loadDataOf(steadyRequests(), { scheduled: 110, dropped: { late: 0, inFlightLimit: 10 } });
    const report = buildReport(metaOf(), data, DEFAULTS);
    expect(report.verdict).toBe('fail');
    expect(report.reasons).toContain('Threshold dropped==0 failed: measured 10.');
  });
});

describe('mergeLoadData', () => {
  it('keeps the busiest generator', () => {
    const calm = loadDataOf(steadyRequests(), { generator: { maxLagMs: 5, cpuPercent: 40, loopUtilization: 0.4, peakLoopUtilization: 0.5 } });
    const busy = loadDataOf(steadyRequests(), { generator: { maxLagMs: 9, cpuPercent: 90, loopUtilization: 0.8, peakLoopUtilization: 0.97 } });
    expect(mergeLoadData([calm, busy]).generator).toEqual({ maxLagMs: 9, cpuPercent: 90, loopUtilization: 0.8, peakLoopUtilization: 0.97 });
  });

  it('omits an unmeasured loop', () => {
    const merged = mergeLoadData([loadDataOf(steadyRequests()), loadDataOf(steadyRequests())]);
    expect(merged.generator.peakLoopUtilization).toBeUndefined();
  });

  it('merges shards exactly', () => {
    const all = steadyRequests('get-quiz').concat(steadyRequests('answer', 300).map((request, index) => ({ ...request, queuedMs: index })));
    const shards = [0, 1, 2].map((shard) => all.filter((_, index) => index % 3 === shard));
    const merged = mergeLoadData(shards.map((requests) => loadDataOf(requests)));
    const single = loadDataOf(all);

    expect(merged.requests).toBe(200);
    expect(merged.histogram).toBe(single.histogram);
    expect(merged.serviceHistogram).toBe(single.serviceHistogram);
    expect(merged.serviceHistogram).not.toBe(merged.histogram);
    expect(merged.generator.queuedRequests).toBe(single.generator.queuedRequests);
    expect(merged.generator.maxQueuedMs).toBe(single.generator.maxQueuedMs);
    expect(merged.routes).toEqual(single.routes);
    expect(merged.windows).toEqual(single.windows);
    const mergedReport = buildReport(metaOf({ shardCount: 3 }), merged, DEFAULTS);
    const singleReport = buildReport(metaOf(), single, DEFAULTS);
    expect(mergedReport.summary).toEqual(singleReport.summary);
  });

  it('drops service latency when a shard lacks it', () => {
    const older = loadDataOf(steadyRequests());
    delete older.serviceHistogram;
    for (const route of older.routes) delete route.serviceHistogram;
    const merged = mergeLoadData([loadDataOf(steadyRequests()), older]);
    expect(merged.serviceHistogram).toBeUndefined();
    expect(merged.routes[0]?.serviceHistogram).toBeUndefined();
    expect(merged.routes[0]?.requests).toBe(200);
  });

  it('rejects different schedules', () => {
    expect(() => mergeLoadData([loadDataOf(steadyRequests()), loadDataOf(steadyRequests(), { durationMs: 20_000 })])).toThrow('different durations');
  });
});

describe('parseReport', () => {
  it('reads its own output', () => {
    const report = buildReport(metaOf(), loadDataOf(steadyRequests()), DEFAULTS);
    expect(parseReport(JSON.stringify(report), 'report.json')).toEqual(report);
  });

  it('rejects other JSON', () => {
    expect(() => parseReport('{"metrics": {}}', 'k6.json')).toThrow('k6.json is not a load-test report (schema "undefined"');
  });
});

describe('compareReports', () => {
  it('marks changes beyond the tolerance', () => {
    const baseline = buildReport(metaOf(), loadDataOf(steadyRequests('get-quiz', 20)), DEFAULTS);
    const current = buildReport(metaOf(), loadDataOf(steadyRequests('get-quiz', 60)), DEFAULTS);
    const comparison = compareReports(current, baseline, 'baseline.json', 0.1);
    expect(comparison.conclusive).toBe(true);
    const p50 = comparison.rows.find((row) => row.metric === 'p50-ms' && row.route === 'all');
    expect(p50).toMatchObject({ baseline: 69.055, current: 109.055, status: 'worse' });
    expect(p50?.deltaPercent).toBeCloseTo(57.9, 1);
    expect(comparison.rows.find((row) => row.metric === 'achieved')).toMatchObject({ baseline: 1, current: 1, status: 'within-tolerance', deltaPercent: 0 });
  });

  it('ignores latency changes below 5 ms', () => {
    const at = (latencyMs: number) => steadyRequests().map((request) => ({ ...request, latencyMs }));
    const baseline = buildReport(metaOf(), loadDataOf(at(2)), DEFAULTS);
    const current = buildReport(metaOf(), loadDataOf(at(3.4)), DEFAULTS);
    const p50 = compareReports(current, baseline, 'baseline.json', 0.1).rows.find((row) => row.metric === 'p50-ms' && row.route === 'all');
    expect(p50?.deltaPercent).toBeGreaterThan(50);
    expect(p50?.status).toBe('within-tolerance');
    const slower = buildReport(metaOf(), loadDataOf(at(8)), DEFAULTS);
    expect(compareReports(slower, baseline, 'baseline.json', 0.1).rows.find((row) => row.metric === 'p50-ms' && row.route === 'all')?.status).toBe('worse');
  });

  it('is inconclusive when rate or scenario differ', () => {
    const baseline = buildReport(metaOf({ scenario: 'session' }), loadDataOf(steadyRequests(), { scheduled: 200 }), DEFAULTS);
    const current = buildReport(metaOf(), loadDataOf(steadyRequests()), DEFAULTS);
    const comparison = compareReports(current, baseline, 'baseline.json', 0.1);
    expect(comparison.conclusive).toBe(false);
    expect(comparison.reasons).toEqual(['The scenarios differ (read vs session).', 'The target rates differ (10/s vs 20/s).']);
  });
});
