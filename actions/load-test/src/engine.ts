import { Recorder, windowLengthMs } from './recorder.ts';
import type { RouteData, WindowData } from './recorder.ts';
import { ArrivalSchedule } from './schedule.ts';
import type { Stage } from './schedule.ts';
import { fillTemplate, fillValue, flowPicker, readPath } from './scenario.ts';
import type { Flow, RequestStep, Scenario, TemplateContext } from './scenario.ts';
import { NOT_SENT, errorKind } from './http.ts';
import type { HttpClient, HttpRequest } from './http.ts';
import { createHistogram, encodeHistogram } from './histogram.ts';

/** Monotonic time in milliseconds (performance.now in production). */
export type MonotonicClock = () => number;
/** Waits about the given milliseconds; timers fire late when the event loop is busy. */
export type Wait = (ms: number) => Promise<void>;

export interface DispatchOptions {
  schedule: ArrivalSchedule;
  clock: MonotonicClock;
  wait: Wait;
  /** An arrival sent later than this after its scheduled time is dropped as late. */
  lateToleranceMs: number;
  /** Iterations allowed in flight at once; an arrival beyond it is dropped. */
  maxInFlight: number;
  inFlight: () => number;
  /** Starts one iteration; must not block. `scheduledAt` is on the same clock. */
  start: (iteration: number, scheduledAt: number) => void;
  /** Returns true to stop dispatching early. */
  stopped?: () => boolean;
  /** Called on every pass of the loop with the milliseconds since the schedule started. */
  tick?: (elapsedMs: number) => void;
}

export interface DispatchStats {
  scheduled: number;
  started: number;
  droppedLate: number;
  droppedInFlightLimit: number;
  /** Largest delay between an arrival's scheduled time and its dispatch, in milliseconds. */
  maxLagMs: number;
  /** Clock value at the start of the schedule. */
  startedAt: number;
}

/**
 * Walks the arrival schedule. It waits for the next arrival, then starts every arrival that
 * is due, and it does not wait for responses, so a slow server cannot slow the arrivals (the
 * open model). An arrival overdue by more than the late tolerance shows that the generator
 * itself fell behind, so it is dropped and counted instead of being sent in a burst.
 */
export async function dispatchArrivals(options: DispatchOptions): Promise<DispatchStats> {
  const startedAt = options.clock();
  const stats: DispatchStats = { scheduled: 0, started: 0, droppedLate: 0, droppedInFlightLimit: 0, maxLagMs: 0, startedAt };
  let next = options.schedule.next();

  while (next !== undefined) {
    if (options.stopped?.()) break;
    const now = options.clock() - startedAt;
    options.tick?.(now);
    if (next > now) {
      await options.wait(next - now);
      continue;
    }

    const lag = now - next;
    stats.scheduled += 1;
    stats.maxLagMs = Math.max(stats.maxLagMs, lag);
    if (lag > options.lateToleranceMs) stats.droppedLate += 1;
    else if (options.inFlight() >= options.maxInFlight) stats.droppedInFlightLimit += 1;
    else {
      options.start(stats.scheduled - 1, startedAt + next);
      stats.started += 1;
    }
    next = options.schedule.next();
  }
  return stats;
}

export interface LoadOptions {
  scenario: Scenario;
  runId: string;
  stages: Stage[];
  startRps: number;
  shardIndex: number;
  shardCount: number;
  requestTimeoutMs: number;
  lateToleranceMs: number;
  maxInFlight: number;
}

export interface LoadDeps {
  client: HttpClient;
  clock: MonotonicClock;
  wait: Wait;
  random: () => number;
  /** Process CPU time used so far in microseconds (user + system). */
  cpuTimeUs: () => number;
  /**
   * Milliseconds the event loop has been busy and idle so far (performance.eventLoopUtilization()
   * in production). Optional, for tests that do not measure it.
   */
  eventLoop?: () => EventLoopTime;
}

export interface EventLoopTime {
  active: number;
  idle: number;
}

/**
 * Measures how busy the generator's event loop was in each window of the run. A loop busy all
 * the time cannot send requests when they are due or read responses when they arrive, so the
 * requests queue inside the generator and their latency measures the generator, not the service.
 */
export class LoopMeter {
  private readonly read: () => EventLoopTime;
  private readonly windowMs: number;
  private readonly first: EventLoopTime;
  private last: EventLoopTime;
  private nextSampleMs: number;
  /** The busiest window's utilization, from 0 to 1. */
  peak = 0;

  constructor(read: () => EventLoopTime, windowMs: number) {
    this.read = read;
    this.windowMs = windowMs;
    this.first = read();
    this.last = this.first;
    this.nextSampleMs = windowMs;
  }

  /** Closes the current window once `elapsedMs` passes its end. */
  sample(elapsedMs: number): void {
    if (elapsedMs < this.nextSampleMs) return;
    const now = this.read();
    this.peak = Math.max(this.peak, utilization(this.last, now));
    this.last = now;
    this.nextSampleMs = (Math.floor(elapsedMs / this.windowMs) + 1) * this.windowMs;
  }

  /** Returns the utilization over the whole run so far, from 0 to 1. */
  average(): number {
    return utilization(this.first, this.read());
  }
}

function utilization(from: EventLoopTime, to: EventLoopTime): number {
  const active = to.active - from.active;
  const total = active + (to.idle - from.idle);
  return total > 0 ? active / total : 0;
}

/** Outcome of one load run, in the form report.json stores and shards merge. */
export interface LoadData {
  durationMs: number;
  scheduled: number;
  started: number;
  dropped: { late: number; inFlightLimit: number };
  iterations: { completed: number; failed: number };
  requests: number;
  errors: number;
  routes: RouteData[];
  /** Latency of all requests, HdrHistogram compressed base64 in microseconds. */
  histogram: string;
  /** The same less the time each request queued in the generator. Absent in reports of older versions. */
  serviceHistogram?: string;
  windowMs: number;
  windows: WindowData[];
  generator: {
    maxLagMs: number;
    cpuPercent: number;
    /** Share of the run the event loop was busy, and the share in its busiest window (0 to 1). Absent when not measured. */
    loopUtilization?: number;
    peakLoopUtilization?: number;
    /**
     * Requests that queued inside the generator (late start plus the wait for a free
     * connection) for longer than the late tolerance, and the longest such queueing in
     * milliseconds. Absent in reports of older versions.
     */
    queuedRequests?: number;
    maxQueuedMs?: number;
  };
}

/**
 * Runs the scenario on the arrival schedule, then waits up to the request timeout for the
 * requests still in flight and aborts the rest, so the run ends by itself.
 */
export async function runLoad(options: LoadOptions, deps: LoadDeps): Promise<LoadData> {
  const schedule = new ArrivalSchedule({ stages: options.stages, startRps: options.startRps, shardIndex: options.shardIndex, shardCount: options.shardCount });
  const recorder = new Recorder(windowLengthMs(schedule.durationMs), options.lateToleranceMs);
  const pickFlow = flowPicker(options.scenario.flows, deps.random);
  const fixedRequests = buildFixedRequests(options.scenario.flows);
  const iterations = { completed: 0, failed: 0 };
  const pending = new Set<Promise<void>>();
  let origin = 0;
  const cpuBefore = deps.cpuTimeUs();
  const loopMeter = deps.eventLoop ? new LoopMeter(deps.eventLoop, recorder.windowMs) : undefined;

  const start = (shardArrival: number, scheduledAt: number): void => {
    // Shard i of N takes arrivals i, i + N, … of the full schedule. Numbering iterations by the
    // full schedule keeps {{iteration}} and {{userId}} unique across the shards of one run.
    const iteration = shardArrival * options.shardCount + options.shardIndex;
    const promise = runIteration(pickFlow(), iteration, scheduledAt, origin, options, deps, recorder, fixedRequests).then((ok) => {
      if (ok) iterations.completed += 1;
      else iterations.failed += 1;
      pending.delete(promise);
    });
    pending.add(promise);
  };

  origin = deps.clock();
  const stats = await dispatchArrivals({
    schedule,
    clock: deps.clock,
    wait: deps.wait,
    lateToleranceMs: options.lateToleranceMs,
    maxInFlight: options.maxInFlight,
    inFlight: () => pending.size,
    start,
    ...(loopMeter ? { tick: (elapsedMs: number) => loopMeter.sample(elapsedMs) } : {}),
  });

  const drainDeadline = deps.clock() + options.requestTimeoutMs;
  while (pending.size > 0 && deps.clock() < drainDeadline) await deps.wait(Math.min(20, drainDeadline - deps.clock()));
  await deps.client.destroy();
  await Promise.all(pending);

  const elapsedMs = deps.clock() - stats.startedAt;
  const cpuPercent = elapsedMs > 0 ? ((deps.cpuTimeUs() - cpuBefore) / 1000 / elapsedMs) * 100 : 0;
  const routes = recorder.routeData();
  return {
    durationMs: schedule.durationMs,
    scheduled: stats.scheduled,
    started: stats.started,
    dropped: { late: stats.droppedLate, inFlightLimit: stats.droppedInFlightLimit },
    iterations,
    requests: routes.reduce((sum, route) => sum + route.requests, 0),
    errors: routes.reduce((sum, route) => sum + route.errors, 0),
    routes,
    histogram: encodeHistogram(recorder.overall.totalCount > 0 ? recorder.overall : createHistogram()),
    serviceHistogram: encodeHistogram(recorder.overallService.totalCount > 0 ? recorder.overallService : createHistogram()),
    windowMs: recorder.windowMs,
    windows: recorder.windowData(),
    generator: {
      maxLagMs: Math.round(stats.maxLagMs * 10) / 10,
      cpuPercent: Math.round(cpuPercent * 10) / 10,
      ...(loopMeter ? { loopUtilization: Math.round(loopMeter.average() * 1000) / 1000, peakLoopUtilization: Math.round(loopMeter.peak * 1000) / 1000 } : {}),
      queuedRequests: recorder.queuedRequests,
      maxQueuedMs: Math.round(recorder.maxQueuedMs * 10) / 10,
    },
  };
}

/**
 * Runs the steps of one flow in order. The first step's latency counts from the scheduled
 * arrival time, so time spent queued in the generator or the connection pool is included
 * (no coordinated omission). Later steps count from their own start. A failed step ends the
 * iteration because later steps depend on its response.
 */
async function runIteration(
  flow: Flow,
  iteration: number,
  scheduledAt: number,
  origin: number,
  options: LoadOptions,
  deps: LoadDeps,
  recorder: Recorder,
  fixedRequests: ReadonlyMap<RequestStep, HttpRequest>,
): Promise<boolean> {
  // Built on the first step that needs them: most iterations of a plain GET need neither.
  let variables: Record<string, string> | undefined;
  let context: TemplateContext | undefined;
  let stepStart = scheduledAt;

  for (const step of flow.steps) {
    let status: string;
    let failed: boolean;
    let body: string | undefined;
    // Time inside the generator before the request went onto a connection. A failed request
    // counts only its late start, because the client reports the connection wait with a response.
    let queuedMs = 0;
    try {
      let request = fixedRequests.get(step);
      if (request === undefined) {
        variables ??= { ...options.scenario.variables };
        context ??= { runId: options.runId, iteration, variables, random: deps.random };
        request = buildRequest(step, context);
      }
      queuedMs = deps.clock() - stepStart;
      const response = await deps.client.send(request);
      queuedMs += response.connectionWaitMs ?? 0;
      status = String(response.status);
      failed = step.expectStatus ? !step.expectStatus.includes(response.status) : response.status < 200 || response.status >= 400;
      body = response.body;
    } catch (error) {
      status = errorKind(error);
      failed = true;
    }
    // A response without a value that later steps need fails its step, so a renamed field
    // shows as errors on that route instead of as a run that never reached the later steps.
    if (!failed && hasKeys(step.extract)) {
      variables ??= { ...options.scenario.variables };
      if (!extractVariables(step.extract, body, variables)) {
        status = EXTRACT_FAILED;
        failed = true;
      }
    }

    const end = deps.clock();
    if (status === NOT_SENT) queuedMs = end - stepStart;
    recorder.record(step.name, stepStart - origin, end - stepStart, status, failed, queuedMs);
    if (failed) return false;
    stepStart = end;
  }
  return true;
}

/** Status recorded for a response that lacks a value the step's `extract` names. */
export const EXTRACT_FAILED = 'extract-failed';

/** Fills a step's templates into the request to send. */
function buildRequest(step: RequestStep, context: TemplateContext): HttpRequest {
  const path = fillTemplate(step.path, context);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(step.headers)) headers[name] = fillTemplate(value, context);
  let requestBody: string | undefined;
  if (step.body !== undefined) {
    const filled = fillValue(step.body, context);
    requestBody = typeof filled === 'string' ? filled : JSON.stringify(filled);
    if (typeof filled !== 'string' && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  }
  const readBody = Object.keys(step.extract).length > 0;
  return { method: step.method, path, headers, readBody, ...(requestBody === undefined ? {} : { body: requestBody }) };
}

/**
 * Builds once the request of every step without a `{{` anywhere in its path, headers or body,
 * because filling templates that are not there cost an object per header and per step at every
 * arrival. Those requests are frozen: the same object goes out on every iteration, so a client
 * that changed it would throw instead of sending a changed request.
 */
export function buildFixedRequests(flows: readonly Flow[]): Map<RequestStep, HttpRequest> {
  const fixed = new Map<RequestStep, HttpRequest>();
  const context: TemplateContext = { runId: '', iteration: 0, variables: {}, random: () => 0 };
  for (const flow of flows) {
    for (const step of flow.steps) {
      const texts = [step.path, ...Object.values(step.headers), ...(step.body === undefined ? [] : [JSON.stringify(step.body)])];
      if (texts.some((text) => text.includes('{{'))) continue;
      const request = buildRequest(step, context);
      Object.freeze(request.headers);
      fixed.set(step, Object.freeze(request));
    }
  }
  return fixed;
}

/** Returns true when the record has an own key, without building the array `Object.keys` would. */
function hasKeys(record: Record<string, string>): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

function extractVariables(extract: Record<string, string>, body: string | undefined, variables: Record<string, string>): boolean {
  const names = Object.keys(extract);
  if (names.length === 0) return true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return false;
  }
  for (const name of names) {
    const value = readPath(parsed, extract[name] as string);
    if (value === undefined || value === null || typeof value === 'object') return false;
    variables[name] = String(value);
  }
  return true;
}
