import { describe, expect, it } from '@jest/globals';

import { createHistogram, decodeHistogram, encodeHistogram, mergeEncoded, recordLatencyMs } from '../src/histogram.ts';

/** Generates a deterministic spread of latencies from 0.1 ms to about 30 s, with a long tail. */
function latencies(seed: number, count: number): number[] {
  let state = seed;
  const values: number[] = [];
  for (let index = 0; index < count; index++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const uniform = state / 2147483648;
    values.push(0.1 + Math.exp(uniform * 10.3));
  }
  return values;
}

describe('histogram merge', () => {
  it('equals one histogram of every value', () => {
    const parts = [latencies(1, 5000), latencies(2, 3000), latencies(3, 7000)];
    const single = createHistogram();
    for (const value of parts.flat()) recordLatencyMs(single, value);

    const encoded = parts.map((values) => {
      const histogram = createHistogram();
      for (const value of values) recordLatencyMs(histogram, value);
      return encodeHistogram(histogram);
    });
    const merged = mergeEncoded(encoded);

    expect(merged.totalCount).toBe(15000);
    expect(merged.minNonZeroValue).toBe(single.minNonZeroValue);
    for (const percentile of [1, 10, 50, 90, 95, 99, 99.9, 99.99, 100]) {
      expect(merged.getValueAtPercentile(percentile)).toBe(single.getValueAtPercentile(percentile));
    }
    expect(encodeHistogram(merged)).toBe(encodeHistogram(single));
  });

  it('survives an encode and decode round trip', () => {
    const histogram = createHistogram();
    for (const value of latencies(9, 1000)) recordLatencyMs(histogram, value);
    const decoded = decodeHistogram(encodeHistogram(histogram));
    expect(decoded.totalCount).toBe(1000);
    expect(decoded.getValueAtPercentile(99)).toBe(histogram.getValueAtPercentile(99));
  });

  it('keeps three significant digits', () => {
    const histogram = createHistogram();
    recordLatencyMs(histogram, 50.0);
    recordLatencyMs(histogram, 1234.5);
    expect(histogram.getValueAtPercentile(50) / 1000).toBeCloseTo(50, 1);
    expect(Math.abs(histogram.maxValue / 1000 - 1234.5) / 1234.5).toBeLessThan(0.001);
  });
});
