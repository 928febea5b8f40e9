import * as core from '@actions/core';
import { ECRClient } from '@aws-sdk/client-ecr';
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
    maskValues(
      inputs.containers.flatMap((container) => [...container.environment.values()]),
      core.setSecret,
    );

    let connection: EcsConnection | undefined;
    const ecs = (): EcsConnection => {
      if (!connection) {
        const config = awsConfigFromEnvironment(process.env, 'ECS', ACTION_NAME);
        connection = { client: new ECSClient(config), region: config.region };
      }
      return connection;
    };
    // The image's registry region decides the ECR endpoint's region, which may differ from the job's.
    const ecrClients = new Map<string, ECRClient>();
    const ecr = (region: string): ECRClient => {
      let client = ecrClients.get(region);
      if (!client) {
        client = new ECRClient(awsConfigFromEnvironment({ ...process.env, AWS_REGION: region }, 'ECR', ACTION_NAME));
        ecrClients.set(region, client);
      }
      return client;
    };

    const result = await run(inputs, {
      ecs,
      ecr,
      fetchText,
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

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} from the download URL`);
  return response.text();
}
