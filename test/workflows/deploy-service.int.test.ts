import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { fileURLToPath } from 'node:url';

import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  QUIZ,
  createRepository,
  createTestingEnvironment,
  roundRobinOfRunningTasks,
  startEmulator,
  startServiceStandIn,
} from '@ecs-deploy-kit/emulator';
import type { Emulator, SeededImage, StandIn } from '@ecs-deploy-kit/emulator';

import { simulateJob } from './simulate.ts';
import type { JobRun } from './simulate.ts';

// deploy-service.yml's deploy job, run step by step against the emulator with the built bundles.
const root = fileURLToPath(new URL('../..', import.meta.url));
const ROLE_ARN = 'arn:aws:iam::123456789012:role/quiz-backend-testing-deploy';
const WORKFLOW_SHA = '3f0c1d2e4b5a69788796a5b4c3d2e1f001122334';

let emulator: Emulator;
let standIn: StandIn;
let ecr: ECRClient;
let previousTaskDefinitionArn: string;
let good: SeededImage;
let broken: SeededImage;
const checkouts: Array<Record<string, string>> = [];
const credentials: Array<Record<string, string>> = [];

function deploy(image: string): Promise<JobRun> {
  return simulateJob({
    root,
    workflow: '.github/workflows/deploy-service.yml',
    job: 'deploy',
    inputs: {
      environment: 'testing',
      image,
      cluster: QUIZ.cluster,
      service: QUIZ.service,
      container: QUIZ.container,
      'smoke-url': `${standIn.url}/health`,
      'expected-version': image.slice(image.indexOf('@') + 1),
    },
    env: { AWS_ENDPOINT_URL: emulator.endpoint, AWS_REGION: emulator.region, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
    jobContext: { workflow_repository: 'avantifellows/ecs-deploy-kit', workflow_sha: WORKFLOW_SHA },
    vars: { AWS_ROLE_ARN: ROLE_ARN },
    standIns: {
      'actions/checkout': (inputs) => {
        checkouts.push(inputs);
        return {};
      },
      'aws-actions/configure-aws-credentials': (inputs) => {
        credentials.push(inputs);
        return {};
      },
    },
  });
}

async function testingTagDigest(): Promise<string | undefined> {
  const described = await ecr.send(new DescribeImagesCommand({ repositoryName: QUIZ.repository, imageIds: [{ imageTag: 'testing' }] })).catch(() => undefined);
  return described?.imageDetails?.[0]?.imageDigest;
}

beforeAll(async () => {
  emulator = await startEmulator();
  await emulator.setTiming({ tickSeconds: 0.05, provisionSeconds: 0.1, taskStartSeconds: 0.2, healthySeconds: 0.2, drainSeconds: 0.2, stopSeconds: 0.1, crashSeconds: 0.2 });
  const target = { endpoint: emulator.endpoint, region: emulator.region };
  ecr = new ECRClient({ ...target, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

  await createRepository(target);
  const current = await emulator.seedImage({ repository: QUIZ.repository, tag: 'v1.3.0', shape: 'index-with-attestation', seed: 'v1.3.0' });
  good = await emulator.seedImage({ repository: QUIZ.repository, tag: 'sha-4f2c9e1', shape: 'index-with-attestation', seed: 'sha-4f2c9e1' });
  broken = await emulator.seedImage({ repository: QUIZ.repository, tag: 'sha-9b7d0a3', shape: 'index-with-attestation', seed: 'sha-9b7d0a3' });
  await emulator.addDeploymentOutcome({ image: broken.digest, outcome: 'image-pull-failure' });

  previousTaskDefinitionArn = (await createTestingEnvironment(target, current.imageUri)).taskDefinitionArn;
  standIn = await startServiceStandIn(roundRobinOfRunningTasks(() => emulator.runningImages(QUIZ.cluster, QUIZ.service)));
}, 120000);

afterAll(async () => {
  await standIn?.close();
  await emulator?.stop();
});

describe('deploy-service workflow', () => {
  it('deploys a digest and tags it', async () => {
    const run = await deploy(good.imageUri);

    expect(run.steps.map((step) => `${step.kind} ${step.exitCode}`)).toEqual([
      'run 0',
      'actions/checkout 0',
      'aws-actions/configure-aws-credentials 0',
      'ecs-render-taskdef 0',
      'ecs-deploy-wait 0',
      'alb-smoke 0',
      'promote-image 0',
    ]);
    expect(run.succeeded).toBe(true);
    expect(checkouts.at(-1)).toEqual({
      repository: 'avantifellows/ecs-deploy-kit',
      ref: WORKFLOW_SHA,
      path: '.ecs-deploy-kit',
      'sparse-checkout': 'actions',
      'persist-credentials': 'false',
    });
    expect(credentials.at(-1)).toEqual({ 'role-to-assume': ROLE_ARN, 'aws-region': 'ap-south-1', 'mask-aws-account-id': 'false' });

    expect(run.outputs['image-uri']).toBe(good.imageUri);
    expect(run.outputs.digest).toBe(good.digest);
    expect(run.outputs['previous-task-definition-arn']).toBe(previousTaskDefinitionArn);
    expect(run.outputs['task-definition-arn']).toMatch(/:task-definition\/[\w-]+:\d+$/);
    expect(run.outputs['task-definition-arn']).not.toBe(previousTaskDefinitionArn);
    expect(run.outputs['rollout-state']).toBe('COMPLETED');
    expect(run.outputs['smoke-status']).toBe('200');
    expect(run.outputs['smoke-version']).toBe(good.digest);
    expect(JSON.parse(run.outputs['promoted-tags'] ?? '[]')).toEqual([{ tag: 'testing', result: 'created' }]);

    expect(await emulator.runningImages(QUIZ.cluster, QUIZ.service)).toEqual([good.imageUri]);
    expect(await testingTagDigest()).toBe(good.digest);
  }, 180000);

  it('moves no tag when the deployment fails', async () => {
    const run = await deploy(broken.imageUri);

    // ecs-deploy-wait stops at its failure budget, before ECS marks the rollout FAILED.
    expect(run.succeeded).toBe(false);
    expect(run.steps.map((step) => `${step.kind} ${step.exitCode}`).at(-1)).toBe('ecs-deploy-wait 1');
    expect(run.outputs['rollout-state']).not.toBe('COMPLETED');
    expect(run.outputs['image-uri']).toBe('');
    expect(await testingTagDigest()).toBe(good.digest);
  }, 180000);

  it('rejects an image by tag', async () => {
    const run = await deploy(`${good.repositoryUri}:sha-4f2c9e1`);

    expect(run.succeeded).toBe(false);
    expect(run.steps).toHaveLength(1);
    expect(run.steps[0]?.log).toContain('deploy an image by digest (REGISTRY/REPOSITORY@sha256:...)');
    expect(await emulator.runningImages(QUIZ.cluster, QUIZ.service)).toEqual([good.imageUri]);
  }, 60000);
});
