import path from 'node:path';

import { ActionError } from '@ecs-deploy-kit/shared';
import type { Clock, Logger } from '@ecs-deploy-kit/shared';

import { compareReports } from './compare.ts';
import type { Comparison } from './compare.ts';
import { runLoad } from './engine.ts';
import type { EventLoopTime, LoadData, MonotonicClock, Wait } from './engine.ts';
import { collectEvidence } from './evidence.ts';
import type { EvidenceClients } from './evidence.ts';
import { NOT_SENT } from './http.ts';
import type { HttpClient, PoolOptions } from './http.ts';
import type { Inputs } from './inputs.ts';
import { LATE_TOLERANCE_MS, buildReport, countStatuses, formatNumber, mergeLoadData, parseReport, round } from './report.ts';
import type { Report, ReportMeta } from './report.ts';
import { isHostAllowed, isProductionHost } from './safety.ts';
import { ScenarioError, checkTemplates, parseScenario } from './scenario.ts';
import type { Scenario } from './scenario.ts';
import { renderReport } from './summary.ts';
import type { Threshold } from './thresholds.ts';

export const BUILT_IN_SCENARIOS = ['read', 'session'];

export interface Deps {
  createClient: (origin: string, options: PoolOptions) => HttpClient;
  readFile: (file: string) => Promise<string>;
  writeFile: (file: string, text: string) => Promise<void>;
  /** Folder of the built-in scenario files. */
  scenarioDir: string;
  /** Folder the report goes to when report-dir is not set. */
  defaultReportDir: string;
  runId: string;
  evidence?: EvidenceClients;
  logger: Logger;
  clock: Clock;
  monotonic: MonotonicClock;
  wait: Wait;
  random: () => number;
  cpuTimeUs: () => number;
  /** Busy and idle milliseconds of the event loop so far (performance.eventLoopUtilization()). */
  eventLoop?: () => EventLoopTime;
}

export interface Result {
  report: Report;
  markdown: string;
  reportPath: string;
  markdownPath: string;
}


export async function run(inputs: Inputs, deps: Deps): Promise<Result> {
  const { logger } = deps;
  let report: Report;
  // Read before any load, so a missing or wrong baseline file stops the run before it spends a test window.
  const baselineFile = inputs.baseline;
  const baselineReport = baselineFile === undefined ? undefined : await readBaseline(baselineFile, deps);

  if (inputs.merge.length > 0) {
    report = await logger.group('Merge shard reports', () => mergeReports(inputs, deps));
  } else {
    const scenario = await logger.group('Load scenario', () => loadScenario(inputs, deps));
    report = await logger.group(`Load ${inputs.targetUrl.host}`, () => runOne(inputs.targetUrl, scenario, inputs, deps));
    logVerdict(report, logger);

    if (inputs.baselineUrl) {
      // The baseline endpoint runs after the target, never at the same time, because both may share one database.
      const baselineUrl = inputs.baselineUrl;
      const baseline = await logger.group(`Load baseline ${baselineUrl.host}`, () => runOne(baselineUrl, scenario, inputs, deps));
      report.comparison = compareReports(report, baseline, baseline.target, inputs.tolerance);
    }
  }

  if (baselineFile !== undefined && baselineReport !== undefined) {
    report.comparison = compareReports(report, baselineReport, baselineFile, inputs.tolerance);
  }
  if (report.comparison) logComparison(report.comparison, logger);

  if (deps.evidence && Object.keys(inputs.aws).length > 0) {
    const clients = deps.evidence;
    const evidence = await logger.group('Fetch server-side evidence', () =>
      collectEvidence(inputs.aws, { start: new Date(report.startedAt), end: new Date(report.endedAt) }, clients, logger),
    );
    if (evidence) report.evidence = evidence;
  }

  const markdown = renderReport(report);
  const reportDir = inputs.reportDir ?? deps.defaultReportDir;
  const reportPath = path.join(reportDir, 'report.json');
  const markdownPath = path.join(reportDir, 'report.md');
  await deps.writeFile(reportPath, JSON.stringify(report, null, 2) + '\n');
  await deps.writeFile(markdownPath, markdown);
  logger.info(`Wrote ${reportPath} and ${markdownPath}.`);
  return { report, markdown, reportPath, markdownPath };
}

async function loadScenario(inputs: Inputs, deps: Deps): Promise<Scenario> {
  const builtIn = BUILT_IN_SCENARIOS.includes(inputs.scenario);
  const file = builtIn ? path.join(deps.scenarioDir, `${inputs.scenario}.yaml`) : inputs.scenario;
  let text: string;
  try {
    text = await deps.readFile(file);
  } catch {
    throw new ActionError(
      `Input "scenario": "${inputs.scenario}" was not found. It is neither a built-in scenario (${BUILT_IN_SCENARIOS.join(', ')}) nor a readable file at ${file}; a relative path is read from the workspace (the job's working directory).`,
    );
  }
  let scenario: Scenario;
  try {
    scenario = parseScenario(text, builtIn ? `scenario ${inputs.scenario}` : file);
    for (const [name, value] of Object.entries(inputs.variables)) {
      if (!Object.hasOwn(scenario.variables, name)) {
        const known = Object.keys(scenario.variables);
        throw new ActionError(
          `Input "variables": "${name}" is not a variable of scenario "${scenario.name}" (${known.length > 0 ? `it declares ${known.join(', ')}` : 'it declares none'}). Check the name, or declare it under variables in the scenario file.`,
        );
      }
      scenario.variables[name] = value;
    }
    checkTemplates(scenario, builtIn ? `scenario ${inputs.scenario}` : file);
    checkThresholdRoutes(inputs, scenario);
  } catch (error) {
    if (error instanceof ScenarioError) throw new ActionError(error.message);
    throw error;
  }

  const urls = [inputs.targetUrl, ...(inputs.baselineUrl ? [inputs.baselineUrl] : [])];
  for (const url of urls) {
    if (scenario.writes && isProductionHost(url, inputs.productionHosts)) {
      throw new ActionError(
        `Scenario "${scenario.name}" writes data (POST, PUT, PATCH or DELETE), and "${url.host}" is a production host (listed in production-hosts or named prod/production). Run write scenarios against a testing or staging environment, or use the read scenario.`,
      );
    }
  }
  const steps = scenario.flows.reduce((sum, flow) => sum + flow.steps.length, 0);
  deps.logger.info(`Scenario ${scenario.name}: ${scenario.flows.length} flow(s), ${steps} request step(s)${scenario.writes ? ', writes data' : ', read-only'}.`);
  return scenario;
}

/** Rejects a per-route threshold whose route is not a step of the scenario, which would otherwise fail after the whole load as "no requests". */
function checkThresholdRoutes(inputs: Inputs, scenario: Scenario): void {
  const routes = new Set(scenario.flows.flatMap((flow) => flow.steps.map((step) => step.name)));
  for (const threshold of inputs.thresholds) {
    if (threshold.route === undefined || routes.has(threshold.route)) continue;
    throw new ActionError(`Input "thresholds": "${threshold.source}" names route "${threshold.route}", which scenario "${scenario.name}" does not have (its routes: ${[...routes].join(', ')}). Use one of those names.`);
  }
}

async function runOne(url: URL, scenario: Scenario, inputs: Inputs, deps: Deps): Promise<Report> {
  // Checked here again, right before the first request, so no code path can reach a host that allowed-hosts does not list.
  if (!isHostAllowed(url, inputs.allowedHosts)) throw new ActionError(`Host "${url.host}" is not in allowed-hosts (${inputs.allowedHosts.join(', ')}); no request was sent.`);

  const shardPeakRps = Math.max(inputs.startRps, ...inputs.stages.map((stage) => stage.targetRps)) / inputs.shardCount;
  // Expected concurrency is requests/s × latency (Little's law). An iteration sends its steps one
  // after another, so requests/s is the arrival rate times the mean steps per iteration. Twice
  // that leaves room for latency spikes.
  const requestRps = shardPeakRps * meanSteps(scenario);
  const neededConnections = Math.max(2, Math.ceil(requestRps * (inputs.expectedLatencyMs / 1000) * 2));
  // The pool may also grow to carry the slowest latency the thresholds accept, so a service
  // within its thresholds is not judged through queueing in the generator. undici opens
  // connections only as requests need them, so a larger limit costs nothing unused.
  const thresholdMs = Math.min(inputs.requestTimeoutMs, largestLatencyLimitMs(inputs.thresholds));
  const connections = Math.min(inputs.maxConnections, Math.max(neededConnections, Math.ceil((requestRps * thresholdMs) / 1000)));
  const slowestMs = Math.floor((connections / requestRps) * 1000);
  if (neededConnections > connections) {
    deps.logger.warning(
      `max-connections (${connections}) is below the ${neededConnections} connections that ${formatNumber(round(requestRps, 1))} requests/s × expected-latency × 2 calls for. Responses slower than ${slowestMs} ms will make requests wait for a connection inside the generator, which can make the run invalid. Raise max-connections or split the rate with shard.`,
    );
  }
  // Beyond rate × timeout in flight, new requests would wait in the queue past the request timeout anyway.
  const maxInFlight = Math.max(100, Math.ceil(shardPeakRps * (inputs.requestTimeoutMs / 1000)));
  const basePath = url.pathname.replace(/\/+$/, '');
  const client = prefixPaths(deps.createClient(url.origin, { connections, requestTimeoutMs: inputs.requestTimeoutMs }), basePath);
  deps.logger.info(
    `Sending ${describeLoad(inputs)}` +
      (inputs.shardCount > 1 ? ` (job ${inputs.shardIndex + 1} of ${inputs.shardCount}, which sends 1/${inputs.shardCount} of it)` : '') +
      ` to ${url.origin}${basePath} with up to ${connections} keep-alive connections. They carry this job's peak rate while responses take at most ${slowestMs} ms; slower responses make requests wait in the generator.`,
  );

  const startedAt = new Date(deps.clock()).toISOString();
  let data: LoadData;
  try {
    data = await runLoad(
      { scenario, runId: deps.runId, stages: inputs.stages, startRps: inputs.startRps, shardIndex: inputs.shardIndex, shardCount: inputs.shardCount, requestTimeoutMs: inputs.requestTimeoutMs, lateToleranceMs: LATE_TOLERANCE_MS, maxInFlight },
      { client, clock: deps.monotonic, wait: deps.wait, random: deps.random, cpuTimeUs: deps.cpuTimeUs, ...(deps.eventLoop ? { eventLoop: deps.eventLoop } : {}) },
    );
  } finally {
    await client.destroy();
  }
  const endedAt = new Date(deps.clock()).toISOString();
  const unsent = countStatuses(data.routes, [NOT_SENT]);
  deps.logger.info(
    `Sent ${data.requests - unsent} requests in ${data.started} iterations; ${data.errors} failed` +
      (unsent > 0 ? ` (${unsent} never sent, still waiting for a connection at the end)` : '') +
      `; ${data.dropped.late + data.dropped.inFlightLimit} arrivals dropped.`,
  );

  const meta: ReportMeta = { runId: deps.runId, scenario: scenario.name, target: `${url.origin}${basePath}`, startedAt, endedAt, stages: inputs.stages, startRps: inputs.startRps, shardCount: inputs.shardCount, ...(inputs.shardCount > 1 ? { shardIndex: inputs.shardIndex } : {}) };
  return buildReport(meta, data, inputs.thresholds);
}

function prefixPaths(client: HttpClient, basePath: string): HttpClient {
  if (basePath === '') return client;
  return { ...client, send: (request) => client.send({ ...request, path: basePath + request.path }) };
}

/** Returns the highest upper limit, in milliseconds, that a latency threshold sets, or 0 when none does. */
function largestLatencyLimitMs(thresholds: readonly Threshold[]): number {
  const limits = thresholds.filter((threshold) => threshold.metric === 'http_req_duration' && (threshold.operator === '<' || threshold.operator === '<=')).map((threshold) => threshold.value);
  return limits.length > 0 ? Math.max(...limits) : 0;
}

/** Returns the mean number of request steps per iteration, weighting each flow by its share of arrivals. */
export function meanSteps(scenario: Scenario): number {
  const totalWeight = scenario.flows.reduce((sum, flow) => sum + flow.weight, 0);
  if (totalWeight <= 0) return 1;
  return scenario.flows.reduce((sum, flow) => sum + flow.weight * flow.steps.length, 0) / totalWeight;
}

function describeLoad(inputs: Inputs): string {
  const [first] = inputs.stages;
  if (inputs.stages.length === 1 && first && inputs.startRps === first.targetRps) return `${first.targetRps} arrivals/s for ${first.durationMs / 1000} s`;
  return `stages ${inputs.stages.map((stage) => `${stage.durationMs / 1000}s:${stage.targetRps}`).join(', ')}`;
}

async function mergeReports(inputs: Inputs, deps: Deps): Promise<Report> {
  const reports: Report[] = [];
  for (const file of inputs.merge) {
    let text: string;
    try {
      text = await deps.readFile(file);
    } catch {
      throw new ActionError(`Report ${file} to merge was not found. Download every shard's report.json before this step.`);
    }
    reports.push(parseReport(text, file));
  }
  const first = reports[0] as Report;
  const shardCount = first.load.shardCount;
  if (reports.some((report) => report.runId !== first.runId || report.scenario !== first.scenario)) {
    throw new ActionError(`The reports to merge come from different runs or scenarios (${reports.map((report) => `${report.runId}/${report.scenario}`).join(', ')}). Merge only the shards of one run.`);
  }
  const loadOf = (report: Report): string => JSON.stringify([report.load.stages, report.load.startRps, report.load.shardCount]);
  const different = reports.findIndex((report) => loadOf(report) !== loadOf(first));
  if (different >= 0) {
    throw new ActionError(
      `Reports ${inputs.merge[0]} and ${inputs.merge[different]} ran different loads (rate, stages or shard count), so they are not shards of one schedule. Give every shard the same rate, duration or stages, and shard count.`,
    );
  }
  const missing = missingShards(reports, inputs.merge, shardCount);

  const data = mergeLoadData(reports.map((report) => report.data));
  const startedAt = reports.map((report) => report.startedAt).sort()[0] as string;
  const endedAt = reports.map((report) => report.endedAt).sort().at(-1) as string;
  deps.logger.info(`Merged ${reports.length} report${reports.length === 1 ? '' : 's'}: ${data.requests} requests, ${data.errors} errors.`);
  const meta: ReportMeta = { runId: first.runId, scenario: first.scenario, target: first.target, startedAt, endedAt, stages: first.load.stages, startRps: first.load.startRps, shardCount };
  const merged = buildReport(meta, data, inputs.thresholds);
  if (missing > 0) {
    // The merged data covers only part of the target rate, so no threshold on it speaks for the run.
    merged.verdict = 'invalid';
    merged.reasons.unshift(`The reports of ${missing} of the ${shardCount} shards are missing, so the merged results cover only part of the target rate. Download the report.json of every shard job before merging. A shard job that failed needs the whole load test run again, because a rerun job gets a new run id.`);
  }
  logVerdict(merged, deps.logger);
  return merged;
}

/**
 * Returns how many shards of the run have no report among those given. Two reports of the same
 * shard are an error, because merging both would count that shard's requests twice. Reports of
 * older versions carry no shard index and are only counted.
 */
function missingShards(reports: readonly Report[], files: readonly string[], shardCount: number): number {
  const seen = new Map<number, string>();
  reports.forEach((report, position) => {
    const index = report.load.shardIndex;
    if (index === undefined) return;
    const earlier = seen.get(index);
    if (earlier !== undefined) {
      throw new ActionError(`Reports ${earlier} and ${files[position]} are both shard ${index + 1} of ${shardCount}. Give each shard's report.json once.`);
    }
    seen.set(index, files[position] as string);
  });
  if (reports.length > shardCount) throw new ActionError(`${reports.length} reports were given, but the run had ${shardCount} shards. Give each shard's report.json once.`);
  return shardCount - reports.length;
}

async function readBaseline(file: string, deps: Deps): Promise<Report> {
  let text: string;
  try {
    text = await deps.readFile(file);
  } catch {
    throw new ActionError(`Baseline report ${file} was not found. Download the previous run's report.json artifact before this step, or leave baseline empty.`);
  }
  return parseReport(text, file);
}

function logVerdict(report: Report, logger: Logger): void {
  const { summary } = report;
  logger.info(
    `Verdict ${report.verdict}: achieved ${summary.achievedRps}/s of ${summary.targetRps}/s, p50 ${summary.latency.p50Ms} ms, p95 ${summary.latency.p95Ms} ms, p99 ${summary.latency.p99Ms} ms, error rate ${(summary.errorRate * 100).toFixed(2)} %.`,
  );
  for (const reason of report.reasons) (report.verdict === 'invalid' ? logger.warning : logger.info).call(logger, reason);
}

function logComparison(comparison: Comparison, logger: Logger): void {
  const worse = comparison.rows.filter((row) => row.status === 'worse');
  if (!comparison.conclusive) logger.warning(`The comparison with ${comparison.baseline} is inconclusive. ${comparison.reasons.join(' ')}`);
  logger.info(worse.length === 0 ? `No metric is worse than the baseline by more than ${comparison.tolerance * 100} %.` : `Worse than the baseline: ${worse.map((row) => `${row.metric} (${row.route}) ${row.baseline} → ${row.current}`).join('; ')}.`);
}
