import * as core from '@actions/core';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ActionError,
  awsConfigFromEnvironment,
  coreInputReader,
  coreLogger,
  runAction,
  setOutputs,
  systemClock,
  writeSummary,
} from '@ecs-deploy-kit/shared';

import { abortableSleep } from './cancel.ts';
import { readInputs } from './inputs.ts';
import { renderSummary } from './report.ts';
import { run } from './run.ts';

const ACTION_NAME = 'ecs-deploy-wait';

export async function main(): Promise<void> {
  await runAction(ACTION_NAME, async () => {
    const inputs = readInputs(coreInputReader, process.env);
    const config = awsConfigFromEnvironment(process.env, 'ECS', ACTION_NAME);
    const ecs = new ECSClient(config);
    const elbv2 = new ElasticLoadBalancingV2Client(awsConfigFromEnvironment(process.env, 'Elastic Load Balancing v2', ACTION_NAME));
    const logs = new CloudWatchLogsClient(awsConfigFromEnvironment(process.env, 'CloudWatch Logs', ACTION_NAME));

    // A cancelled job gets SIGINT, then SIGTERM; either stops the wait and the step reports
    // where the deployment stood.
    const cancellation = new AbortController();
    const cancel = (): void => cancellation.abort();
    process.once('SIGINT', cancel);
    process.once('SIGTERM', cancel);

    const outcome = await run(inputs, {
      ecs,
      elbv2,
      logs,
      region: config.region,
      logger: coreLogger(),
      clock: systemClock,
      sleep: abortableSleep(cancellation.signal),
      setSecret: (value) => core.setSecret(value),
      cancelled: () => cancellation.signal.aborted,
    });
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);

    // With several services each output lists one value per service, in the order of the input.
    const each = (value: (result: (typeof outcome.results)[number]) => string): string => outcome.results.map(value).join(',');
    setOutputs({
      'task-definition-arn': outcome.taskDefinition.arn,
      'deployment-id': each((result) => result.deploymentId),
      'rollout-state': each((result) => result.rolloutState),
      'running-count': each((result) => String(result.runningCount)),
      'desired-count': each((result) => String(result.desiredCount)),
      'duration-seconds': each((result) => String(Math.round(result.durationMs / 1000))),
      'rolled-back': String(outcome.results.some((result) => result.rolledBack)),
    });
    await writeSummary(outcome.results.map(renderSummary).join('\n'));

    // With several services, each failure names its service.
    const failures = outcome.results.filter((result) => result.failure);
    const several = outcome.results.length > 1;
    const messages = failures.map((result) => (several ? `${result.location.service}: ${result.failure?.message}` : (result.failure?.message ?? '')));
    if (messages.length > 0) throw new ActionError(messages.join(' '));
  });
}
