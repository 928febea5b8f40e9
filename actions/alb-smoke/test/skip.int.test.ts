import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { runActionBundle } from '@ecs-deploy-kit/action-runner';
import { startEmulator } from '@ecs-deploy-kit/emulator';

const ACTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let ecs: ECSClient;

function awsEnv(): Record<string, string> {
  return { AWS_ENDPOINT_URL: emulator.endpoint, AWS_REGION: 'ap-south-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
}

async function createService(desiredCount: number): Promise<void> {
  await ecs.send(new CreateClusterCommand({ clusterName: 'quiz-backend-testing' }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'quiz-backend-testing',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'quiz-backend', image: '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend:1.4.0', portMappings: [{ containerPort: 8000 }] },
      ],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'quiz-backend-testing',
      serviceName: 'quiz-backend-testing',
      taskDefinition: 'quiz-backend-testing',
      desiredCount,
      launchType: 'FARGATE',
    }),
  );
}

beforeAll(async () => {
  emulator = await startEmulator();
  ecs = new ECSClient({ region: 'ap-south-1', endpoint: emulator.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(async () => {
  ecs?.destroy();
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
});

describe('alb-smoke with ECS', () => {
  it('skips desiredCount 0', async () => {
    await createService(0);

    // Nothing listens on port 1, so the test would fail had it sent a request.
    const run = await runActionBundle(ACTION_DIR, {
      inputs: { url: 'http://127.0.0.1:1/health', cluster: 'quiz-backend-testing', service: 'quiz-backend-testing', attempts: '1' },
      env: awsEnv(),
    });

    expect(run.exitCode).toBe(0);
    expect(run.outputs.skipped).toBe('true');
    expect(run.outputs.attempts).toBe('0');
    expect(run.annotations).toEqual([
      {
        level: 'notice',
        message:
          'Skipping the smoke test: service "quiz-backend-testing" in cluster "quiz-backend-testing" has desiredCount 0, so no task serves these URLs.',
      },
    ]);
    expect(run.summary).toContain('### Smoke test skipped');
  });

  it('checks a running service', async () => {
    await createService(1);

    const run = await runActionBundle(ACTION_DIR, {
      inputs: { url: 'http://127.0.0.1:1/health', cluster: 'quiz-backend-testing', service: 'quiz-backend-testing', attempts: '1' },
      env: awsEnv(),
    });

    expect(run.exitCode).toBe(1);
    expect(run.outputs.skipped).toBe('false');
    expect(run.log).toContain('connection refused (ECONNREFUSED)');
  });

  it('fails on a missing service', async () => {
    await createService(1);

    const run = await runActionBundle(ACTION_DIR, {
      inputs: { url: 'http://127.0.0.1:1/health', cluster: 'quiz-backend-testing', service: 'quiz-backend-testng' },
      env: awsEnv(),
    });

    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toBe(
      'alb-smoke: Service "quiz-backend-testng" not found in cluster "quiz-backend-testing". Services in this cluster: quiz-backend-testing.',
    );
  });
});
