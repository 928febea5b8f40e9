import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

// Latencies are recorded in microseconds. Three significant digits keep every percentile within
// 0.1 % of the recorded value, and 64-bit buckets cannot overflow however long the run.
const LOWEST_US = 1;
const HIGHEST_US = 3_600_000_000;

export type LatencyHistogram = Histogram;

export function createHistogram(): LatencyHistogram {
  return hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Records one latency given in milliseconds (fractions kept down to 1 µs). */
export function recordLatencyMs(histogram: LatencyHistogram, latencyMs: number): void {
  histogram.recordValue(Math.max(LOWEST_US, Math.round(latencyMs * 1000)));
}

/** Encodes a histogram in the HdrHistogram compressed base64 format, which other HdrHistogram libraries also read. */
export function encodeHistogram(histogram: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): LatencyHistogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 64, false);
  // A decoded histogram is sized for the values it holds; merging a larger value into it must
  // grow it rather than fail.
  const histogram = createHistogram();
  histogram.add(decoded);
  decoded.destroy();
  return histogram;
}

/** Adds every count of the encoded histograms together; counts add exactly, so the merge loses nothing. */
export function mergeEncoded(encoded: readonly string[]): LatencyHistogram {
  const merged = createHistogram();
  for (const item of encoded) {
    const histogram = decodeHistogram(item);
    merged.add(histogram);
  }
  return merged;
}

export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

const round = (us: number): number => Math.round(us) / 1000;

export function summarizeHistogram(histogram: LatencyHistogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
  return {
    count,
    minMs: round(histogram.minNonZeroValue),
    meanMs: round(histogram.mean),
    p50Ms: round(histogram.getValueAtPercentile(50)),
    p90Ms: round(histogram.getValueAtPercentile(90)),
    p95Ms: round(histogram.getValueAtPercentile(95)),
    p99Ms: round(histogram.getValueAtPercentile(99)),
    // The top of the largest bucket, as a merged histogram reports it, so merged and single runs agree.
    maxMs: round(histogram.getValueAtPercentile(100)),
  };
}

/** Returns the latency at any percentile (0 to 100) in milliseconds. */
export function percentileMs(histogram: LatencyHistogram, percentile: number): number {
  if (histogram.totalCount === 0) return 0;
  return round(histogram.getValueAtPercentile(percentile));
}
