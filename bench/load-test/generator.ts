// Runs the load-test engine once against a URL on 127.0.0.1 and prints one JSON line:
//   node generator.ts URL RATE DURATION_SECONDS [RAMP_SECONDS]
// The engine, HTTP client and histograms are the action's own source files. With a ramp, the
// rate rises from 0 over RAMP_SECONDS first (measured too), so connections open gradually
// instead of all in the first milliseconds.
import { performance } from 'node:perf_hooks';

import { runLoad } from '../../actions/load-test/src/engine.ts';
import { decodeHistogram, summarizeHistogram } from '../../actions/load-test/src/histogram.ts';
import { undiciClient } from '../../actions/load-test/src/http.ts';

const [url = '', rateText = '1000', secondsText = '5', rampText = '0'] = process.argv.slice(2);
if (!url.startsWith('http://127.0.0.1:')) throw new Error(`The benchmark loads 127.0.0.1 only, not ${url}.`);
const rate = Number(rateText);
const durationMs = Number(secondsText) * 1000;
const rampMs = Number(rampText) * 1000;
const stages = rampMs > 0 ? [{ durationMs: rampMs, targetRps: rate }, { durationMs, targetRps: rate }] : [{ durationMs, targetRps: rate }];
const totalS = (rampMs + durationMs) / 1000;

// Pool sized as the action sizes it for an expected latency of 200 ms.
const connections = Math.min(256, Math.max(2, Math.ceil(rate * 0.2 * 2)));
const data = await runLoad(
  {
    scenario: { name: 'bench', description: '', writes: false, variables: {}, flows: [{ name: 'root', weight: 1, steps: [{ name: 'root', method: 'GET', path: '/', headers: {}, extract: {} }] }] },
    runId: 'bench',
    stages,
    startRps: rampMs > 0 ? 0 : rate,
    shardIndex: 0,
    shardCount: 1,
    requestTimeoutMs: 10_000,
    lateToleranceMs: 100,
    maxInFlight: Math.max(100, rate * 10),
  },
  {
    client: undiciClient(new URL(url).origin, { connections, requestTimeoutMs: 10_000 }),
    clock: () => performance.now(),
    wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    eventLoop: () => performance.eventLoopUtilization(),
    cpuTimeUs: () => {
      const usage = process.cpuUsage();
      return usage.user + usage.system;
    },
  },
);
const latency = summarizeHistogram(decodeHistogram(data.histogram));
console.log(
  JSON.stringify({
    rate,
    scheduled: data.scheduled,
    started: data.started,
    // The held rate times the share of arrivals started on time; the ramp would lower a plain average.
    achievedRps: Math.round((rate * data.started) / Math.max(1, data.scheduled)),
    meanRps: Math.round(data.started / totalS),
    dropped: data.dropped.late + data.dropped.inFlightLimit,
    errors: data.errors,
    p50Ms: latency.p50Ms,
    p99Ms: latency.p99Ms,
    cpuPercent: data.generator.cpuPercent,
    maxLagMs: data.generator.maxLagMs,
    loop: data.generator.loopUtilization,
    peakLoop: data.generator.peakLoopUtilization,
  }),
);
