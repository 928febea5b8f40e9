import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import * as core from '@actions/core';
import {
  ActionError,
  awsConfigFromEnvironment,
  coreInputReader,
  coreLogger,
  maskValues,
  realSleep,
  runAction,
  setOutputs,
  systemClock,
  writeSummary,
} from '@ecs-deploy-kit/shared';

import { nodeHttpSend } from './http.ts';
import { readInputs } from './inputs.ts';
import { run } from './run.ts';
import { failureMessage, renderOutputs, renderSummary } from './summary.ts';

export async function main(): Promise<void> {
  await runAction('alb-smoke', async () => {
    const inputs = readInputs(coreInputReader);
    // Header values are often credentials; the runner then replaces them with *** wherever printed.
    maskValues(inputs.headers.values(), (value) => core.setSecret(value));

    const checksTargets = inputs.waitForTargets && (inputs.service !== undefined || inputs.targetGroupArns.length > 0);
    const ecs = inputs.service ? new ECSClient(awsConfigFromEnvironment(process.env, 'ECS', 'alb-smoke')) : undefined;
    const elb = checksTargets ? new ElasticLoadBalancingV2Client(awsConfigFromEnvironment(process.env, 'Elastic Load Balancing v2', 'alb-smoke')) : undefined;

    const result = await run(inputs, { ecs, elb, httpSend: nodeHttpSend, logger: coreLogger(), clock: systemClock, sleep: realSleep });

    setOutputs(renderOutputs(result));
    await writeSummary(renderSummary(result));
    if (!result.passed) throw new ActionError(failureMessage(result));
  });
}
