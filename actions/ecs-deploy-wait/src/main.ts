import * as core from '@actions/core';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ActionError,
  awsConfigFromEnvironment,
  coreInputReader,
  coreLogger,
  realSleep,
  runAction,
  setOutputs,
  systemClock,
  writeSummary,
} from '@ecs-deploy-kit/shared';

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

    const result = await run(inputs, {
      ecs,
      elbv2,
      region: config.region,
      logger: coreLogger(),
      clock: systemClock,
      sleep: realSleep,
      setSecret: (value) => core.setSecret(value),
    });

    setOutputs({
      'task-definition-arn': result.taskDefinition.arn,
      'deployment-id': result.deploymentId,
      'rollout-state': result.rolloutState,
      'running-count': String(result.runningCount),
      'desired-count': String(result.desiredCount),
      'duration-seconds': String(Math.round(result.durationMs / 1000)),
    });
    await writeSummary(renderSummary(result));

    if (result.failure) throw new ActionError(result.failure.message);
  });
}
