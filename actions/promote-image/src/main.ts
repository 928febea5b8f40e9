import { ECRClient } from '@aws-sdk/client-ecr';
import { awsConfigFromEnvironment, coreInputReader, coreLogger, runAction, setOutputs, writeSummary } from '@ecs-deploy-kit/shared';

import { download } from './download.ts';
import { readInputs } from './inputs.ts';
import { run } from './run.ts';
import { renderOutputs, renderSummary } from './summary.ts';

function ecrClient(region: string): ECRClient {
  // The registry URI fixes the region, whatever AWS_REGION the job has.
  return new ECRClient(awsConfigFromEnvironment({ ...process.env, AWS_REGION: region }, 'ECR', 'promote-image'));
}

export async function main(): Promise<void> {
  await runAction('promote-image', async () => {
    const inputs = readInputs(coreInputReader, process.env);
    const sourceEcr = ecrClient(inputs.source.region);
    const targetEcr = inputs.target.region === inputs.source.region ? sourceEcr : ecrClient(inputs.target.region);

    const result = await run(inputs, { sourceEcr, targetEcr, logger: coreLogger(), fetch: download });

    setOutputs(renderOutputs(result));
    await writeSummary(renderSummary(result));
  });
}
