import { InputError, optionalString, parseBoolean, parseDuration, parseInteger, parseKeyValueLines, parseList } from '@ecs-deploy-kit/shared';
import type { InputReader } from '@ecs-deploy-kit/shared';

import type { Stage } from './schedule.ts';
import { isHostAllowed } from './safety.ts';
import { ThresholdError, parseThresholds } from './thresholds.ts';
import type { Threshold } from './thresholds.ts';

export interface AwsTargets {
  cluster?: string;
  service?: string;
  /** The `app/NAME/ID` part of the load balancer's ARN, the CloudWatch dimension value. */
  loadBalancer?: string;
  /** The `targetgroup/NAME/ID` part of the target group's ARN. */
  targetGroup?: string;
  functionName?: string;
}

export interface Inputs {
  targetUrl: URL;
  allowedHosts: string[];
  productionHosts: string[];
  /** A built-in scenario name (`read`, `session`) or a path to a scenario file. */
  scenario: string;
  /** Values that replace the scenario's own variables, by name. */
  variables: Record<string, string>;
  stages: Stage[];
  /** Rate at the start of the first stage: the rate itself for a constant rate, 0 for stages. */
  startRps: number;
  thresholds: Threshold[];
  requestTimeoutMs: number;
  expectedLatencyMs: number;
  maxConnections: number;
  /** 0-based shard index and shard count; the rate is split evenly. */
  shardIndex: number;
  shardCount: number;
  /** report.json files of shards to merge instead of running a test. */
  merge: string[];
  baseline?: string;
  baselineUrl?: URL;
  /** Relative change allowed before a comparison calls a difference worse, as a fraction. */
  tolerance: number;
  aws: AwsTargets;
  reportDir?: string;
  failStep: boolean;
}

export function readInputs(read: InputReader): Inputs {
  const merge = parseList(read('merge'));
  const allowedHosts = parseList(read('allowed-hosts'));
  if (allowedHosts.length === 0) {
    throw new InputError('allowed-hosts', 'is required but was empty. List the hosts this test may send requests to, e.g. quiz-api.testing.example.org.');
  }

  const targetUrl = parseTargetUrl('target-url', read('target-url'), allowedHosts, merge.length > 0);
  const baselineRaw = optionalString(read('baseline-url'));
  const baselineUrl = baselineRaw === undefined ? undefined : parseTargetUrl('baseline-url', baselineRaw, allowedHosts, false);

  const { stages, startRps } = parseLoadShape(read);
  const [shardIndex, shardCount] = parseShard('shard', read('shard'));

  let thresholds: Threshold[];
  try {
    thresholds = parseThresholds(read('thresholds'));
  } catch (error) {
    if (error instanceof ThresholdError) throw new InputError('thresholds', error.message);
    throw error;
  }

  const inputs: Inputs = {
    targetUrl,
    allowedHosts,
    productionHosts: parseList(read('production-hosts')),
    scenario: optionalString(read('scenario')) ?? 'read',
    variables: parseVariables(read('variables')),
    stages,
    startRps,
    thresholds,
    requestTimeoutMs: positiveDuration('request-timeout', read('request-timeout'), 10_000),
    expectedLatencyMs: positiveDuration('expected-latency', read('expected-latency'), 200),
    maxConnections: parseInteger('max-connections', read('max-connections'), 256, { min: 1, max: 10_000 }),
    shardIndex,
    shardCount,
    merge,
    tolerance: parsePercent('tolerance', read('tolerance'), 0.1),
    aws: parseAwsTargets(read),
    failStep: parseBoolean('fail-on-verdict', read('fail-on-verdict'), true),
  };
  const baseline = optionalString(read('baseline'));
  if (baseline !== undefined) inputs.baseline = baseline;
  if (baselineUrl !== undefined) inputs.baselineUrl = baselineUrl;
  if (baseline !== undefined && baselineUrl !== undefined) {
    throw new InputError('baseline', 'and baseline-url are both set. Compare with a previous report.json (baseline) or with a second endpoint (baseline-url), not both.');
  }
  const reportDir = optionalString(read('report-dir'));
  if (reportDir !== undefined) inputs.reportDir = reportDir;
  return inputs;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses the variables input: `NAME=VALUE` lines as the shared parser reads them, with names
 * that templates can use and values trimmed and not empty.
 */
export function parseVariables(raw: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, rawValue] of parseKeyValueLines('variables', raw)) {
    const value = rawValue.trim();
    if (!VARIABLE_NAME.test(name)) throw new InputError('variables', `"${name}" is not a variable name. Use letters, digits and underscores, starting with a letter or underscore.`);
    if (value === '') throw new InputError('variables', `"${name}" has an empty value. Give a value or remove the line to keep the scenario's own.`);
    variables[name] = value;
  }
  return variables;
}

function parseTargetUrl(name: string, raw: string, allowedHosts: string[], optional: boolean): URL {
  const value = raw.trim();
  if (value === '' && optional) return new URL('http://merge.invalid/');
  if (value === '') throw new InputError(name, 'is required but was empty. Give the base URL of the service under test, e.g. https://quiz-api.testing.example.org.');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(name, `"${value}" is not a URL. Give a base URL such as https://quiz-api.testing.example.org.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError(name, `"${url.protocol}" is not supported. Use http:// or https://.`);
  if (url.username || url.password) throw new InputError(name, 'contains credentials. Pass credentials in a scenario header instead of the URL.');
  if (url.search || url.hash) throw new InputError(name, `"${url.origin}${url.pathname}" must not have a query or fragment; put them in the scenario's paths.`);
  if (!isHostAllowed(url, allowedHosts)) {
    throw new InputError(name, `host "${url.host}" is not in allowed-hosts (${allowedHosts.join(', ')}). Add it there if this test may load it.`);
  }
  return url;
}

/** Parses a constant `rate` for `duration`, or `stages` such as `30s:50, 2m:50, 30s:0` ramping from 0. */
function parseLoadShape(read: InputReader): { stages: Stage[]; startRps: number } {
  const stagesRaw = parseList(read('stages'));
  if (stagesRaw.length > 0) {
    const stages = stagesRaw.map((item) => {
      const match = /^(\S+)\s*:\s*(\d+(?:\.\d+)?)$/.exec(item);
      if (!match) throw new InputError('stages', `"${item}" is not DURATION:RATE. Write stages such as 30s:50, 2m:50, 30s:0.`);
      const durationMs = positiveDuration('stages', match[1] as string, 0);
      return { durationMs, targetRps: Number(match[2]) };
    });
    if (stages.every((stage) => stage.targetRps === 0)) throw new InputError('stages', 'every stage has rate 0, so no request would be sent.');
    return { stages, startRps: 0 };
  }
  const rateRaw = read('rate').trim();
  const rate = rateRaw === '' ? 10 : Number(rateRaw);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 100_000) {
    throw new InputError('rate', `"${rateRaw}" is not a rate. Give arrivals per second above 0 and at most 100000, e.g. 50 or 0.5.`);
  }
  const durationMs = positiveDuration('duration', read('duration'), 60_000);
  if (durationMs > 6 * 3_600_000) throw new InputError('duration', `${read('duration').trim()} is longer than the 6 h a GitHub-hosted job may run.`);
  return { stages: [{ durationMs, targetRps: rate }], startRps: rate };
}

/** Writes a duration as the input would take it, for examples in error messages. */
function formatExample(durationMs: number): string {
  return durationMs % 1000 === 0 ? `${durationMs / 1000}s` : `${durationMs}ms`;
}

function positiveDuration(name: string, raw: string, fallbackMs: number): number {
  const value = parseDuration(name, raw, fallbackMs);
  if (value <= 0) throw new InputError(name, `"${raw.trim()}" must be longer than 0, e.g. ${formatExample(fallbackMs)}.`);
  return value;
}

function parseShard(name: string, raw: string): [number, number] {
  const value = raw.trim();
  if (value === '') return [0, 1];
  const match = /^(\d+)\s*\/\s*(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new InputError(name, `"${value}" is not INDEX/COUNT with 1 ≤ INDEX ≤ COUNT, e.g. 2/4 for the second of four jobs.`);
  }
  return [index - 1, count];
}

function parsePercent(name: string, raw: string, fallback: number): number {
  const value = raw.trim();
  if (value === '') return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(value);
  if (!match) throw new InputError(name, `"${value}" is not a percentage. Write e.g. 10%.`);
  const number = Number(match[1]);
  if (match[2] === '%') return number / 100;
  // A bare 1.5 could mean 1.5 % or 150 %, so a bare number must be a fraction below 1.
  if (number >= 1) throw new InputError(name, `"${value}" is ambiguous. Write a percentage such as ${number}% or a fraction below 1 such as 0.1.`);
  return number;
}

function parseAwsTargets(read: InputReader): AwsTargets {
  const targets: AwsTargets = {};
  const cluster = optionalString(read('cluster'));
  const service = optionalString(read('service'));
  if ((cluster === undefined) !== (service === undefined)) {
    throw new InputError(cluster === undefined ? 'cluster' : 'service', 'must be set together with ' + (cluster === undefined ? 'service' : 'cluster') + ' to fetch ECS metrics.');
  }
  if (cluster !== undefined) targets.cluster = cluster.includes('/') ? cluster.slice(cluster.lastIndexOf('/') + 1) : cluster;
  if (service !== undefined) targets.service = service.includes('/') ? service.slice(service.lastIndexOf('/') + 1) : service;

  const loadBalancer = optionalString(read('load-balancer'));
  if (loadBalancer !== undefined) targets.loadBalancer = dimensionFromArn('load-balancer', loadBalancer, /(?:loadbalancer\/)?(app\/[^/]+\/[0-9a-f]+)$/, 'app/NAME/ID');
  const targetGroup = optionalString(read('target-group'));
  if (targetGroup !== undefined) targets.targetGroup = dimensionFromArn('target-group', targetGroup, /(targetgroup\/[^/]+\/[0-9a-f]+)$/, 'targetgroup/NAME/ID');
  const functionName = optionalString(read('function-name'));
  if (functionName !== undefined) targets.functionName = functionName.startsWith('arn:') ? (functionName.split(':')[6] ?? functionName) : functionName;
  return targets;
}

function dimensionFromArn(name: string, value: string, pattern: RegExp, shape: string): string {
  const match = pattern.exec(value);
  if (!match) throw new InputError(name, `"${value}" is neither an ARN nor ${shape}. Give the ARN from the load balancer's console page or Terraform output.`);
  return match[1] as string;
}
