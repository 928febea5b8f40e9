import type { Clock, Logger, Sleep } from '@ecs-deploy-kit/shared';

import { RequestFailure } from './http.ts';
import type { HttpGet, HttpResponse } from './http.ts';
import { displayLocation, displayUrl } from './redact.ts';
import { matchesStatus } from './status.ts';
import type { StatusMatcher } from './status.ts';

export interface CheckSettings {
  expectedStatus: StatusMatcher;
  attempts: number;
  intervalMs: number;
  requestTimeoutMs: number;
  expectedVersion?: string;
  versionHeader: string;
  consecutiveSuccesses: number;
}

export interface CheckDeps {
  httpGet: HttpGet;
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
}

/** The verdict on one response: counted or not, the reason, and the version it shows. */
interface Evaluation {
  counted: boolean;
  reason?: string;
  version?: string;
}

/**
 * Requests the URL until `consecutiveSuccesses` counted responses arrive in a row, the attempts
 * run out, or the attempts left can no longer make such a streak. A response counts when its
 * status is expected and, with an expected version, the version appears in the version header
 * or the body. Every attempt is logged once with the reason it did not count.
 */
export async function checkUrl(url: URL, settings: CheckSettings, deps: CheckDeps): Promise<UrlResult> {
  const result: UrlResult = { url: displayUrl(url), passed: false, attempts: 0 };
  let streak = 0;

  for (let attempt = 1; attempt <= settings.attempts; attempt += 1) {
    result.attempts = attempt;
    const prefix = `Attempt ${attempt}/${settings.attempts}:`;
    const started = deps.clock();
    let response: HttpResponse;
    try {
      response = await deps.httpGet(url, settings.requestTimeoutMs);
    } catch (error) {
      const reason = error instanceof RequestFailure ? error.message : `request failed: ${error instanceof Error ? error.message : String(error)}`;
      streak = 0;
      result.reason = reason;
      deps.logger.info(`${prefix} no response after ${deps.clock() - started} ms, not counted: ${reason}`);
      if (await stopOrWait(attempt, streak, settings, deps)) break;
      continue;
    }
    const latencyMs = deps.clock() - started;

    const evaluation = evaluateResponse(response, settings);
    result.lastStatus = response.status;
    result.lastResponse = response;
    if (evaluation.version !== undefined) result.version = evaluation.version;
    const versionNote = evaluation.version !== undefined ? `, version ${evaluation.version}` : '';

    if (!evaluation.counted) {
      streak = 0;
      result.reason = evaluation.reason;
      deps.logger.info(`${prefix} ${response.status} in ${latencyMs} ms${versionNote}, not counted: ${evaluation.reason}`);
      if (await stopOrWait(attempt, streak, settings, deps)) break;
      continue;
    }

    streak += 1;
    result.lastSuccessLatencyMs = latencyMs;
    const streakNote = settings.consecutiveSuccesses > 1 ? ` (${streak} of ${settings.consecutiveSuccesses} in a row)` : '';
    deps.logger.info(`${prefix} ${response.status} in ${latencyMs} ms${versionNote}${streakNote}`);
    if (streak >= settings.consecutiveSuccesses) {
      result.passed = true;
      delete result.reason;
      break;
    }
    if (await stopOrWait(attempt, streak, settings, deps)) break;
  }

  return result;
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
  await deps.sleep(settings.intervalMs);
  return false;
}

/** Decides whether a response counts, and which version it shows. */
export function evaluateResponse(response: HttpResponse, settings: CheckSettings): Evaluation {
  const header = response.headers[settings.versionHeader]?.trim();
  const expected = settings.expectedVersion;

  let version = header === '' ? undefined : header;
  let versionProblem: string | undefined;
  if (expected !== undefined) {
    const inHeader = header?.includes(expected) ?? false;
    const inBody = !inHeader && response.body.toString('utf8').includes(expected);
    if (inBody) version = expected;
    if (!inHeader && !inBody) {
      versionProblem =
        version === undefined
          ? `version "${expected}" not found in header ${settings.versionHeader} or the body`
          : `version "${version}" seen, expected "${expected}"`;
    }
  }

  if (!matchesStatus(settings.expectedStatus, response.status)) {
    const redirect = isRedirect(response) ? ` (redirect to ${displayLocation(response.headers.location ?? '')}, not followed)` : '';
    return withVersion({ counted: false, reason: `status ${response.status}${redirect} is not expected (expected ${settings.expectedStatus.text})` }, version);
  }
  if (versionProblem !== undefined) return withVersion({ counted: false, reason: versionProblem }, version);
  return withVersion({ counted: true }, version);
}

function withVersion(evaluation: Evaluation, version: string | undefined): Evaluation {
  if (version !== undefined) evaluation.version = version;
  return evaluation;
}

function isRedirect(response: HttpResponse): boolean {
  return response.status >= 300 && response.status < 400 && response.headers.location !== undefined;
}
