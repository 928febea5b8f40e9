import { ECSClient } from '@aws-sdk/client-ecs';
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

import { nodeHttpGet } from './http.ts';
import { readInputs } from './inputs.ts';
import { run } from './run.ts';
import { failureMessage, renderOutputs, renderSummary } from './summary.ts';

export async function main(): Promise<void> {
  await runAction('alb-smoke', async () => {
    const inputs = readInputs(coreInputReader);
    const ecs = inputs.service ? new ECSClient(awsConfigFromEnvironment(process.env, 'ECS', 'alb-smoke')) : undefined;

    const result = await run(inputs, { ecs, httpGet: nodeHttpGet, logger: coreLogger(), clock: systemClock, sleep: realSleep });

    setOutputs(renderOutputs(result));
    await writeSummary(renderSummary(result));
    if (!result.passed) throw new ActionError(failureMessage(result));
  });
}
