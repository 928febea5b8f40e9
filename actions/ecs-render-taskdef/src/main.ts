import * as core from '@actions/core';
import { ECSClient } from '@aws-sdk/client-ecs';
import { awsConfigFromEnvironment, coreInputReader, coreLogger, maskValues, runAction, setOutputs, writeSummary } from '@ecs-deploy-kit/shared';

import { readInputs } from './inputs.ts';
import { run } from './run.ts';
import type { EcsConnection } from './source.ts';
import { renderSummary } from './summary.ts';

const ACTION_NAME = 'ecs-render-taskdef';

export async function main(): Promise<void> {
  await runAction(ACTION_NAME, async () => {
    const inputs = readInputs(coreInputReader, process.env);
    // Masked before anything is logged, so no later line can reveal a given value.
    maskValues(inputs.environment.values(), core.setSecret);

    let connection: EcsConnection | undefined;
    const ecs = (): EcsConnection => {
      if (!connection) {
        const config = awsConfigFromEnvironment(process.env, 'ECS', ACTION_NAME);
        connection = { client: new ECSClient(config), region: config.region };
      }
      return connection;
    };

    const result = await run(inputs, {
      ecs,
      logger: coreLogger(),
      maskValues: (values) => maskValues(values, core.setSecret),
    });

    setOutputs({
      'task-definition': result.taskDefinitionPath,
      'previous-task-definition-arn': result.previousTaskDefinitionArn,
      family: result.family,
      image: result.image,
    });
    await writeSummary(renderSummary(result));
  });
}
