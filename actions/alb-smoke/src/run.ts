import { DescribeServicesCommand, ListServicesCommand } from '@aws-sdk/client-ecs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { ActionError, explainAwsError } from '@ecs-deploy-kit/shared';
import type { Clock, Logger, Sleep } from '@ecs-deploy-kit/shared';

import { checkUrl } from './check.ts';
import type { UrlResult } from './check.ts';
import type { HttpGet } from './http.ts';
import type { Inputs } from './inputs.ts';
import { formatLastResponse } from './report.ts';

export interface Deps {
  /** Needed only when inputs.service is set. */
  ecs?: ECSClient;
  httpGet: HttpGet;
  logger: Logger;
  clock: Clock;
  sleep: Sleep;
}

export type Result =
  | { skipped: true; reason: string; urls: []; passed: true }
  | { skipped: false; urls: UrlResult[]; passed: boolean };

export async function run(inputs: Inputs, deps: Deps): Promise<Result> {
  const target = inputs.service;
  if (target) {
    const skipReason = await deps.logger.group('Check the service', () => findSkipReason(target, deps));
    if (skipReason !== undefined) {
      deps.logger.notice(skipReason);
      return { skipped: true, reason: skipReason, urls: [], passed: true };
    }
  }

  const urls: UrlResult[] = [];
  for (const url of inputs.urls) {
    const result = await deps.logger.group(`Check ${urlTitle(url)}`, async () => {
      deps.logger.info(describeExpectation(inputs));
      return checkUrl(url, inputs, deps);
    });
    urls.push(result);
  }

  for (const result of urls.filter((item) => !item.passed)) {
    await deps.logger.group(`Last response from ${result.url}`, async () => {
      deps.logger.info(`Failed after ${result.attempts} attempt(s): ${result.reason ?? 'no counted response'}`);
      deps.logger.info(result.lastResponse ? formatLastResponse(result.lastResponse) : 'No response was received.');
    });
  }

  return { skipped: false, urls, passed: urls.every((item) => item.passed) };
}

function urlTitle(url: URL): string {
  return url.username || url.password || url.search ? `${url.protocol}//${url.host}${url.pathname}` : url.href;
}

function describeExpectation(inputs: Inputs): string {
  const version = inputs.expectedVersion ? `, version "${inputs.expectedVersion}" in header ${inputs.versionHeader} or the body` : '';
  const streak = inputs.consecutiveSuccesses > 1 ? `, ${inputs.consecutiveSuccesses} in a row` : '';
  return `Expecting status ${inputs.expectedStatus.text}${version}${streak}; up to ${inputs.attempts} attempts, ${inputs.intervalMs} ms apart, ${inputs.requestTimeoutMs} ms timeout each.`;
}

/**
 * Returns why the smoke test should be skipped (the service runs no task on purpose), or
 * undefined to go on. A missing service is an error, since the URLs would then test nothing
 * the workflow deployed.
 */
async function findSkipReason(target: { cluster: string; service: string }, deps: Deps): Promise<string | undefined> {
  const ecs = deps.ecs;
  if (!ecs) throw new Error('An ECS client is required when cluster and service are set.');
  const { cluster, service } = target;

  let response;
  try {
    response = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ClusterNotFoundException') {
      throw new ActionError(`Cluster "${cluster}" not found. Check the cluster input and the AWS region.`, { cause: error });
    }
    throw explainAwsError(error, 'ecs:DescribeServices');
  }

  const found = response.services?.find((item) => item.serviceName === service || item.serviceArn === service);
  if (!found || found.status === 'INACTIVE') {
    const names = await listServiceNames(ecs, cluster, deps.logger);
    const listing = names === undefined ? '' : ` Services in this cluster: ${names.length > 0 ? names.join(', ') : 'none'}.`;
    throw new ActionError(`Service "${service}" not found in cluster "${cluster}".${listing}`);
  }

  deps.logger.info(`Service "${found.serviceName}": desiredCount ${found.desiredCount ?? 0}, runningCount ${found.runningCount ?? 0}.`);
  if ((found.desiredCount ?? 0) === 0) {
    return `Skipping the smoke test: service "${found.serviceName}" in cluster "${cluster}" has desiredCount 0, so no task serves these URLs.`;
  }
  return undefined;
}

/** Lists service names for a "not found" message; undefined when they cannot be listed. */
async function listServiceNames(ecs: ECSClient, cluster: string, logger: Logger): Promise<string[] | undefined> {
  try {
    const response = await ecs.send(new ListServicesCommand({ cluster, maxResults: 100 }));
    return (response.serviceArns ?? []).map((arn) => arn.slice(arn.lastIndexOf('/') + 1)).sort();
  } catch (error) {
    logger.debug(`ListServices failed, so the message lists no services: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
