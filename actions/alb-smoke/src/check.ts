import type { Clock, Logger, Sleep } from '@ecs-deploy-kit/shared';

import { RequestFailure } from './http.ts';
import type { HttpResponse, HttpSend } from './http.ts';
import { matchesBody, readJsonPath } from './match.ts';
import type { BodyMatcher } from './match.ts';
import { exchange } from './redirect.ts';
import type { ExchangeSettings } from './redirect.ts';
import { displayLocation, displayUrl } from './redact.ts';
import { matchesStatus } from './status.ts';
import type { StatusMatcher } from './status.ts';

export interface CheckSettings extends ExchangeSettings {
  expectedStatus: StatusMatcher;
  expectedBody?: BodyMatcher;
  attempts: number;
  intervalMs: number;
  maxLatencyMs?: number;
  expectedVersion?: string;
  versionHeader: string;
  versionJsonPath?: { text: string; segments: Array<string | number> };
  consecutiveSuccesses: number;
  /** Clock time after which no attempt starts, in milliseconds. */
  deadline: number;
}

export interface CheckDeps {
  httpSend: HttpSend;
  logger: Logger;
  clock: Clock;
  sleep: Sleep;
}

/** The outcome of checking one URL. */
export interface UrlResult {
  /** The URL with credentials masked. */
  url: string;
  passed: boolean;
  attempts: number;
  /** Latency of every response received, counted or not, in milliseconds. */
  latenciesMs: number[];
  /** Status of the last response received, if any. */
  lastStatus?: number;
  /** Latency of the last counted response, in milliseconds. */
  lastSuccessLatencyMs?: number;
  /** The version of the last response that showed one. */
  version?: string;
  /** The reason the last attempt did not count, when the URL failed. */
  reason?: string;
  /** The last response received, kept for the failure report. */
  lastResponse?: HttpResponse;
  /** True when the overall timeout stopped the attempts. */
  timedOut?: boolean;
}

/** The verdict on one response: counted or not, the reason, and the version it shows. */
export interface Evaluation {
  counted: boolean;
  reason?: string;
  version?: string;
}

/**
 * Requests the URL until `consecutiveSuccesses` counted responses arrive in a row, the attempts
 * or the overall timeout run out, or the attempts left can no longer make such a streak. Every
 * attempt is logged once, with the reason when it did not count.
 */
export async function checkUrl(url: URL, settings: CheckSettings, deps: CheckDeps): Promise<UrlResult> {
  const result: UrlResult = { url: displayUrl(url), passed: false, attempts: 0, latenciesMs: [] };
  let streak = 0;

  for (let attempt = 1; attempt <= settings.attempts; attempt += 1) {
    if (deps.clock() >= settings.deadline) {
      stopForTimeout(result, deps.logger);
      break;
    }

    result.attempts = attempt;
    const prefix = `Attempt ${attempt}/${settings.attempts}:`;
    const started = deps.clock();
    let response: HttpResponse;
    let redirectNote = '';
    try {
      const sent = await exchange(url, settings, deps.httpSend, deps.clock);
      response = sent.response;
      if (sent.redirects > 0) redirectNote = ` after ${sent.redirects} redirect(s) to ${displayUrl(sent.url)}`;
    } catch (error) {
      const reason = error instanceof RequestFailure ? error.message : `request failed: ${error instanceof Error ? error.message : String(error)}`;
      streak = 0;
      result.reason = reason;
      if (error instanceof RequestFailure && error.response) {
        result.lastStatus = error.response.status;
        result.lastResponse = error.response;
      }
      deps.logger.info(`${prefix} no response after ${deps.clock() - started} ms, not counted: ${reason}`);
      if (await stopOrWait(attempt, streak, settings, deps)) break;
      continue;
    }
    const latencyMs = deps.clock() - started;
    result.latenciesMs.push(latencyMs);

    const evaluation = evaluateResponse(response, latencyMs, settings);
    result.lastStatus = response.status;
    result.lastResponse = response;
    if (evaluation.version !== undefined) result.version = evaluation.version;
    const versionNote = evaluation.version !== undefined ? `, version ${evaluation.version}` : '';

    if (!evaluation.counted) {
      streak = 0;
      result.reason = evaluation.reason;
      deps.logger.info(`${prefix} ${response.status} in ${latencyMs} ms${redirectNote}${versionNote}, not counted: ${evaluation.reason}`);
      if (await stopOrWait(attempt, streak, settings, deps)) break;
      continue;
    }

    streak += 1;
    result.lastSuccessLatencyMs = latencyMs;
    const streakNote = settings.consecutiveSuccesses > 1 ? ` (${streak} of ${settings.consecutiveSuccesses} in a row)` : '';
    deps.logger.info(`${prefix} ${response.status} in ${latencyMs} ms${redirectNote}${versionNote}${streakNote}`);
    if (streak >= settings.consecutiveSuccesses) {
      result.passed = true;
      delete result.reason;
      break;
    }
    if (await stopOrWait(attempt, streak, settings, deps)) break;
  }

  return result;
}

function stopForTimeout(result: UrlResult, logger: Logger): void {
  result.timedOut = true;
  const last = result.reason === undefined ? '' : ` The last attempt did not count: ${result.reason}`;
  result.reason =
    result.attempts === 0 ? 'the overall timeout (timeout) ran out before the first attempt' : `the overall timeout (timeout) ran out after ${result.attempts} attempt(s).${last}`;
  logger.info(`Stopping: ${result.reason}`);
}

/**
 * Sleeps before the next attempt, or returns true when there is none worth making: the
 * attempts are used up, or too few remain to complete the streak.
 */
async function stopOrWait(attempt: number, streak: number, settings: CheckSettings, deps: CheckDeps): Promise<boolean> {
  const remaining = settings.attempts - attempt;
  if (remaining === 0) return true;
  if (streak + remaining < settings.consecutiveSuccesses) {
    deps.logger.info(
      `Stopping after attempt ${attempt}: the ${remaining} attempt(s) left cannot make ${settings.consecutiveSuccesses} counted responses in a row.`,
    );
    return true;
  }
  await deps.sleep(Math.max(0, Math.min(settings.intervalMs, settings.deadline - deps.clock())));
  return false;
}

/**
 * Decides whether a response counts: its status is expected, it arrived within max-latency,
 * its body matches expected-body, and it shows the expected version. The first unmet condition
 * is the reason; the version is reported whether or not the response counts.
 */
export function evaluateResponse(response: HttpResponse, latencyMs: number, settings: CheckSettings): Evaluation {
  const found = findVersion(response, settings);
  const version = found.version;

  if (!matchesStatus(settings.expectedStatus, response.status)) {
    const redirect = isRedirect(response) ? ` (redirect to ${displayLocation(response.headers.location ?? '')}${settings.followRedirects ? '' : ', not followed'})` : '';
    return withVersion({ counted: false, reason: `status ${response.status}${redirect} is not expected (expected ${settings.expectedStatus.text})` }, version);
  }
  if (settings.maxLatencyMs !== undefined && latencyMs > settings.maxLatencyMs) {
    return withVersion({ counted: false, reason: `took ${latencyMs} ms, more than max-latency ${settings.maxLatencyMs} ms` }, version);
  }
  if (settings.expectedBody !== undefined && !matchesBody(settings.expectedBody, response.body.toString('utf8'))) {
    const mismatch = settings.expectedBody.kind === 'regex' ? `does not match ${settings.expectedBody.text}` : `does not contain "${settings.expectedBody.text}"`;
    return withVersion({ counted: false, reason: `body ${mismatch} (expected-body)` }, version);
  }
  if (found.problem !== undefined) return withVersion({ counted: false, reason: found.problem }, version);
  return withVersion({ counted: true }, version);
}

/**
 * Reads the version a response shows: the JSON field at version-json-path when set, else the
 * version header, else expected-version when the body contains it. Returns a problem when an
 * expected version is set and not shown.
 */
function findVersion(response: HttpResponse, settings: CheckSettings): { version?: string; problem?: string } {
  const expected = settings.expectedVersion;

  if (settings.versionJsonPath !== undefined) {
    const path = settings.versionJsonPath.text;
    const read = readJsonVersion(response.body, settings.versionJsonPath.segments);
    if (read.version === undefined) return expected === undefined ? {} : { problem: `${read.problem} (version-json-path ${path})` };
    if (expected === undefined || read.version.includes(expected)) return { version: read.version };
    return { version: read.version, problem: `version "${read.version}" seen at ${path}, expected "${expected}"` };
  }

  const header = response.headers[settings.versionHeader]?.trim();
  const version = header === '' ? undefined : header;
  if (expected === undefined || version?.includes(expected)) return version === undefined ? {} : { version };
  if (response.body.toString('utf8').includes(expected)) return { version: expected };
  if (version === undefined) return { problem: `version "${expected}" not found in header ${settings.versionHeader} or the body` };
  return { version, problem: `version "${version}" seen, expected "${expected}"` };
}

function readJsonVersion(body: Buffer, segments: Array<string | number>): { version?: string; problem: string } {
  let document: unknown;
  try {
    document = JSON.parse(body.toString('utf8'));
  } catch {
    return { problem: body.length === 0 ? 'the body is empty, not JSON' : 'the body is not JSON' };
  }
  const value = readJsonPath(document, segments);
  if (value === undefined || value === null) return { problem: 'the JSON body has no such field' };
  if (typeof value === 'object') return { problem: `the JSON field is ${Array.isArray(value) ? 'an array' : 'an object'}, not a version` };
  return { version: String(value), problem: '' };
}

function withVersion(evaluation: Evaluation, version: string | undefined): Evaluation {
  if (version !== undefined) evaluation.version = version;
  return evaluation;
}

function isRedirect(response: HttpResponse): boolean {
  return response.status >= 300 && response.status < 400 && response.headers.location !== undefined;
}
