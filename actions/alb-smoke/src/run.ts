import { DescribeServicesCommand, ListServicesCommand } from '@aws-sdk/client-ecs';
import type { ECSClient, Service } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ActionError, explainAwsError } from '@ecs-deploy-kit/shared';
import type { Clock, Logger, Sleep } from '@ecs-deploy-kit/shared';

import { checkUrl } from './check.ts';
import type { UrlResult } from './check.ts';
import type { HttpSend } from './http.ts';
import type { Inputs } from './inputs.ts';
import { formatLastResponse } from './report.ts';
import { describeTarget, targetGroupName, waitForHealthyTargets } from './targets.ts';
import type { TargetHealthResult, TargetHealthSettings } from './targets.ts';

export interface Deps {
  /** Needed only when inputs.service is set. */
  ecs?: ECSClient;
  /** Needed only when target health is checked. */
  elb?: ElasticLoadBalancingV2Client;
  httpSend: HttpSend;
  logger: Logger;
  clock: Clock;
  sleep: Sleep;
}

export type Result =
  | { skipped: true; reason: string; urls: []; passed: true }
  | { skipped: false; urls: UrlResult[]; passed: boolean; targetHealth?: TargetHealthResult };

export async function run(inputs: Inputs, deps: Deps): Promise<Result> {
  const deadline = deps.clock() + inputs.timeoutMs;

  let service: Service | undefined;
  const target = inputs.service;
  if (target) {
    service = await deps.logger.group('Check the service', () => findService(target, deps));
    const skipReason = findSkipReason(service, target.cluster);
    if (skipReason !== undefined) {
      deps.logger.notice(skipReason);
      return { skipped: true, reason: skipReason, urls: [], passed: true };
    }
  }

  const targetHealth = await checkTargetHealth(inputs, service, deadline, deps);
  if (targetHealth && !targetHealth.passed) {
    await deps.logger.group('Targets not healthy', async () => deps.logger.info(formatTargets(targetHealth)));
    return { skipped: false, urls: [], passed: false, targetHealth };
  }

  const urls: UrlResult[] = [];
  for (const url of inputs.urls) {
    const result = await deps.logger.group(`Check ${urlTitle(url)}`, async () => {
      deps.logger.info(describeExpectation(inputs));
      return checkUrl(url, { ...inputs, deadline }, deps);
    });
    urls.push(result);
  }

  for (const result of urls.filter((item) => !item.passed)) {
    await deps.logger.group(`Last response from ${result.url}`, async () => {
      deps.logger.info(`Failed after ${result.attempts} attempt(s): ${result.reason ?? 'no counted response'}`);
      deps.logger.info(result.lastResponse ? formatLastResponse(result.lastResponse) : 'No response was received.');
    });
  }

  const result: Result = { skipped: false, urls, passed: urls.every((item) => item.passed) };
  if (targetHealth) result.targetHealth = targetHealth;
  return result;
}

/**
 * Waits for healthy targets in the given target groups, or the service's own, unless
 * wait-for-targets is off or there is no target group to read. Returns undefined when skipped.
 */
async function checkTargetHealth(inputs: Inputs, service: Service | undefined, deadline: number, deps: Deps): Promise<TargetHealthResult | undefined> {
  if (!inputs.waitForTargets) return undefined;
  const serviceGroups = (service?.loadBalancers ?? []).map((item) => item.targetGroupArn).filter((arn): arn is string => arn !== undefined);
  const targetGroupArns = inputs.targetGroupArns.length > 0 ? inputs.targetGroupArns : [...new Set(serviceGroups)];
  if (targetGroupArns.length === 0) {
    if (service) deps.logger.info(`Service "${service.serviceName}" has no load balancer target group, so target health is not checked.`);
    return undefined;
  }
  const elb = deps.elb;
  if (!elb) throw new Error('An ELBv2 client is required to check target health.');

  return deps.logger.group('Wait for healthy targets', async () => {
    const names = targetGroupArns.map(targetGroupName).join(', ');
    const scope = inputs.service ? `tasks of the PRIMARY deployment of service "${inputs.service.service}"` : 'registered targets';
    deps.logger.info(`Waiting for healthy ${scope} in ${names}.`);
    const settings: TargetHealthSettings = {
      targetGroupArns,
      intervalMs: inputs.intervalMs,
      timeoutMs: Math.max(1, Math.min(inputs.targetHealthTimeoutMs, deadline - deps.clock())),
    };
    if (inputs.service) settings.service = inputs.service;
    const result = await waitForHealthyTargets(settings, { ...deps, elb });
    if (result.passed) {
      const counts = Object.entries(result.healthy).map(([name, count]) => `${count} in ${name}`).join(', ');
      deps.logger.info(`Targets healthy after ${result.elapsedMs} ms: ${counts}.`);
    }
    return result;
  });
}

function formatTargets(result: TargetHealthResult): string {
  const lines = [`Failed: ${result.reason ?? 'targets not healthy'}`];
  if (result.targets.length === 0) lines.push('No target is registered.');
  for (const view of result.targets) lines.push(describeTarget(view));
  return lines.join('\n');
}

function urlTitle(url: URL): string {
  return url.username || url.password || url.search ? `${url.protocol}//${url.host}${url.pathname}` : url.href;
}

function describeExpectation(inputs: Inputs): string {
  const parts = [`status ${inputs.expectedStatus.text}`];
  if (inputs.expectedBody) parts.push(`body ${inputs.expectedBody.kind === 'regex' ? 'matching' : 'containing'} ${inputs.expectedBody.text}`);
  if (inputs.maxLatencyMs !== undefined) parts.push(`latency at most ${inputs.maxLatencyMs} ms`);
  if (inputs.expectedVersion) {
    const where = inputs.versionJsonPath ? `JSON field ${inputs.versionJsonPath.text}` : `header ${inputs.versionHeader} or the body`;
    parts.push(`version "${inputs.expectedVersion}" in ${where}`);
  }
  if (inputs.consecutiveSuccesses > 1) parts.push(`${inputs.consecutiveSuccesses} in a row`);

  const request = [inputs.method];
  if (inputs.host) request.push(`Host ${inputs.host}`);
  if (inputs.tlsServerName) request.push(`TLS server name ${inputs.tlsServerName}`);
  if (inputs.insecure) request.push('any TLS certificate accepted (insecure)');
  // Header names only: their values are often credentials.
  if (inputs.headers.size > 0) request.push(`headers ${[...inputs.headers.keys()].join(', ')}`);
  request.push(inputs.followRedirects ? `up to ${inputs.maxRedirects} redirects followed` : 'redirects not followed');

  return `Expecting ${parts.join(', ')}; ${request.join(', ')}; up to ${inputs.attempts} attempts, ${inputs.intervalMs} ms apart, ${inputs.requestTimeoutMs} ms timeout each.`;
}

/**
 * Reads the service. A missing service is an error, since the URLs would then test nothing
 * the workflow deployed.
 */
async function findService(target: { cluster: string; service: string }, deps: Deps): Promise<Service> {
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
  return found;
}

/** Returns why the smoke test should be skipped (the service runs no task on purpose), or undefined to go on. */
function findSkipReason(service: Service, cluster: string): string | undefined {
  if ((service.desiredCount ?? 0) !== 0) return undefined;
  return `Skipping the smoke test: service "${service.serviceName}" in cluster "${cluster}" has desiredCount 0, so no task serves these URLs.`;
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
