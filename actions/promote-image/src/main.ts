import { ECRClient } from '@aws-sdk/client-ecr';
import { awsConfigFromEnvironment, coreInputReader, coreLogger, runAction, setOutputs, writeSummary } from '@ecs-deploy-kit/shared';

import { readInputs } from './inputs.ts';
import { run } from './run.ts';
import { renderOutputs, renderSummary } from './summary.ts';

export async function main(): Promise<void> {
  await runAction('promote-image', async () => {
    const inputs = readInputs(coreInputReader);
    // The registry in the source URI fixes the region, whatever AWS_REGION the job has.
    const region = inputs.source.ecr.region;
    const ecr = new ECRClient(awsConfigFromEnvironment({ ...process.env, AWS_REGION: region }, 'ECR', 'promote-image'));

    const result = await run(inputs, { ecr, logger: coreLogger() });

    setOutputs(renderOutputs(result));
    await writeSummary(renderSummary(result));
  });
}
