import { parse as parseYaml } from 'yaml';

/**
 * Thresholds in the k6 syntax: `p(95)<500` and `avg<200` on http_req_duration (milliseconds),
 * `rate<0.01` on http_req_failed, plus `dropped==0` (arrivals not sent on time) and
 * `achieved>=95%` (iterations started as a share of the target). A metric may be narrowed to
 * one route with a tag: `http_req_duration{route:answer}: p(99)<800`.
 */
export type ThresholdMetric = 'http_req_duration' | 'http_req_failed' | 'dropped' | 'achieved';
export type Aggregation = { kind: 'percentile'; percentile: number } | { kind: 'avg' | 'min' | 'max' | 'med' | 'rate' | 'count' };
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Threshold {
  /** The text as written, for the report. */
  source: string;
  metric: ThresholdMetric;
  route?: string;
  aggregation: Aggregation;
  operator: Operator;
  value: number;
}

export class ThresholdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThresholdError';
  }
}

export const DEFAULT_THRESHOLDS = ['p(95)<500', 'p(99)<1500', 'rate<0.01', 'dropped==0', 'achieved>=95%'];

const METRICS: readonly ThresholdMetric[] = ['http_req_duration', 'http_req_failed', 'dropped', 'achieved'];
const EXPRESSION = /^(p\(\s*(\d+(?:\.\d+)?)\s*\)|avg|min|max|med|rate|count|dropped|achieved)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*(%|ms|s)?$/;
const METRIC_WITH_TAG = /^([a-z_]+)(?:\{\s*(route|name)\s*:\s*([\w.-]+)\s*\})?$/;

/**
 * Parses thresholds written one per line (`[metric{route:NAME}:] expression[, expression]`) or
 * as the k6 options mapping (`metric{route:NAME}: [expressions]`). Blank lines and `#` comments
 * are skipped. An empty text gives the default thresholds.
 */
export function parseThresholds(text: string): Threshold[] {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length === 0) return parseThresholds(DEFAULT_THRESHOLDS.join('\n'));

  const mapping = tryMapping(text);
  const entries: Array<[string | undefined, string]> = [];
  if (mapping) {
    for (const [key, value] of Object.entries(mapping)) {
      const expressions = Array.isArray(value) ? value : [value];
      for (const expression of expressions) entries.push([key, String(expression)]);
    }
  } else {
    // A `metric{tag}:` prefix applies to the expressions after it on its line, until the next prefix.
    for (const line of lines) {
      let prefix: string | undefined;
      for (const piece of splitOutsideBraces(line)) {
        const prefixed = PREFIXED.exec(piece);
        if (prefixed) prefix = (prefixed[1] as string).trim();
        entries.push([prefix, (prefixed ? (prefixed[2] as string) : piece).trim()]);
      }
    }
  }
  return entries.filter(([, expression]) => expression !== '').map(([prefix, expression]) => parseOne(prefix, expression));
}

/** A comma-separated piece that starts with a metric prefix; the colon inside `{route:…}` belongs to the tag. */
const PREFIXED = /^\s*([a-z_]+\s*(?:\{[^}]*\})?)\s*:(.*)$/;

/** Splits a line at commas outside `{…}`. */
function splitOutsideBraces(line: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index];
    if (character === '{') depth += 1;
    else if (character === '}') depth = Math.max(0, depth - 1);
    else if (character === ',' && depth === 0) {
      pieces.push(line.slice(start, index));
      start = index + 1;
    }
  }
  pieces.push(line.slice(start));
  return pieces;
}

function tryMapping(text: string): Record<string, unknown> | undefined {
  if (!/^\s*[a-z_]+(\{[^}]*\})?\s*:\s*(\[|$)/m.test(text)) return undefined;
  try {
    const parsed: unknown = parseYaml(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Not YAML: fall back to the line form, whose errors name the line.
  }
  return undefined;
}

function parseOne(prefix: string | undefined, expression: string): Threshold {
  const source = prefix ? `${prefix}: ${expression}` : expression;
  const match = EXPRESSION.exec(expression.replace(/\s+/g, ''));
  if (!match) {
    throw new ThresholdError(`"${source}" is not a threshold. Write an aggregation, an operator and a number: p(95)<500, avg<200, rate<0.01, dropped==0, achieved>=95%.`);
  }
  const [, head = '', percentileText, operatorText = '<', numberText = '0', unit] = match;
  const name = head.startsWith('p(') ? 'p' : head;
  const aggregation: Aggregation = name === 'p' ? { kind: 'percentile', percentile: Number(percentileText) } : { kind: name === 'dropped' || name === 'achieved' ? 'count' : (name as 'avg') };
  if (aggregation.kind === 'percentile' && (aggregation.percentile <= 0 || aggregation.percentile > 100)) {
    throw new ThresholdError(`"${source}": a percentile must be above 0 and at most 100.`);
  }

  let metric = defaultMetric(name);
  let route: string | undefined;
  if (prefix !== undefined) {
    const tagged = METRIC_WITH_TAG.exec(prefix.replace(/\s+/g, ''));
    if (!tagged || !METRICS.includes(tagged[1] as ThresholdMetric)) {
      throw new ThresholdError(`"${source}": unknown metric "${prefix}". Use ${METRICS.join(', ')}, optionally with {route:NAME}.`);
    }
    metric = tagged[1] as ThresholdMetric;
    route = tagged[3];
    if (metric !== defaultMetric(name)) {
      throw new ThresholdError(`"${source}": ${head} does not apply to ${metric}. Latency takes p(N), avg, min, max, med; http_req_failed takes rate.`);
    }
  }

  let value = Number(numberText);
  if (unit === '%') value /= 100;
  if (unit === 's') value *= 1000;
  if ((unit === 's' || unit === 'ms') && metric !== 'http_req_duration') throw new ThresholdError(`"${source}": a time unit only applies to latency.`);
  if (metric === 'achieved' && unit !== '%' && value > 1) value /= 100;

  const threshold: Threshold = { source, metric, aggregation, operator: operatorText as Operator, value };
  if (route !== undefined) threshold.route = route;
  return threshold;
}

function defaultMetric(name: string): ThresholdMetric {
  if (name === 'rate') return 'http_req_failed';
  if (name === 'dropped') return 'dropped';
  if (name === 'achieved') return 'achieved';
  return 'http_req_duration';
}

/** Measurements that thresholds are evaluated against, per route name or for all routes (undefined). */
export interface ThresholdSource {
  latencyMs(route: string | undefined, aggregation: Aggregation): number | undefined;
  errorRate(route: string | undefined): number | undefined;
  dropped(): number;
  /** Iterations started as a fraction of the target, 0 to 1. */
  achievedFraction(): number;
}

export interface ThresholdResult {
  source: string;
  /** The measured value in the threshold's unit, or undefined when the route had no requests. */
  actual?: number;
  /** The measured value for people: milliseconds, a percentage or a count. Absent when `actual` is. */
  display?: string;
  passed: boolean;
}

export function evaluateThresholds(thresholds: readonly Threshold[], source: ThresholdSource): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const actual = measure(threshold, source);
    // A route without requests cannot show it meets its limit, so it fails rather than passing unseen.
    const passed = actual !== undefined && compare(actual, threshold.operator, threshold.value);
    const result: ThresholdResult = { source: threshold.source, passed };
    if (actual !== undefined) {
      result.actual = actual;
      result.display = displayValue(threshold.metric, actual);
    }
    return result;
  });
}

/** Formats a measured value in its metric's unit: latency in ms, rates and shares as percentages. */
export function displayValue(metric: ThresholdMetric, value: number): string {
  const rounded = (number: number, digits: number): string => String(Math.round(number * 10 ** digits) / 10 ** digits);
  switch (metric) {
    case 'http_req_duration':
      return `${rounded(value, 1)} ms`;
    case 'http_req_failed':
    case 'achieved':
      return `${rounded(value * 100, 2)} %`;
    case 'dropped':
      return String(value);
  }
}

function measure(threshold: Threshold, source: ThresholdSource): number | undefined {
  switch (threshold.metric) {
    case 'http_req_duration':
      return source.latencyMs(threshold.route, threshold.aggregation);
    case 'http_req_failed':
      return source.errorRate(threshold.route);
    case 'dropped':
      return source.dropped();
    case 'achieved':
      return source.achievedFraction();
  }
}

export function compare(actual: number, operator: Operator, limit: number): boolean {
  switch (operator) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
      return actual === limit;
    case '!=':
      return actual !== limit;
  }
}
