import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { BatchGetImageCommand, CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { runActionBundle } from '@ecs-deploy-kit/action-runner';
import { startEmulator } from '@ecs-deploy-kit/emulator';
import type { Emulator, SeedImageShape } from '@ecs-deploy-kit/emulator';

import { ACCEPTED_MEDIA_TYPES, manifestDigest } from '../src/manifest.ts';

const ACTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';
const REGISTRY = `${ACCOUNT}.dkr.ecr.ap-south-1.amazonaws.com`;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let emulator: Emulator;
const clients: ECRClient[] = [];

function ecrIn(region: string): ECRClient {
  const client = new ECRClient({ region, endpoint: emulator.endpoint, credentials });
  clients.push(client);
  return client;
}

function promote(inputs: Record<string, string>) {
  return runActionBundle(ACTION_DIR, {
    inputs,
    env: { AWS_ENDPOINT_URL: emulator.endpoint, AWS_REGION: 'ap-south-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
  });
}

async function createRepository(repositoryName: string, options: { region?: string; registryId?: string; imageTagMutability?: 'MUTABLE' | 'IMMUTABLE' } = {}) {
  const ecr = ecrIn(options.region ?? 'ap-south-1');
  await ecr.send(
    new CreateRepositoryCommand({
      repositoryName,
      ...(options.registryId ? { registryId: options.registryId } : {}),
      ...(options.imageTagMutability ? { imageTagMutability: options.imageTagMutability } : {}),
    }),
  );
}

/** Reads an image back from a repository, by tag or digest, accepting every media type. */
async function readImage(repositoryName: string, imageId: { imageTag?: string; imageDigest?: string }, options: { region?: string; registryId?: string } = {}) {
  const response = await ecrIn(options.region ?? 'ap-south-1').send(
    new BatchGetImageCommand({
      repositoryName,
      imageIds: [imageId],
      acceptedMediaTypes: ACCEPTED_MEDIA_TYPES,
      ...(options.registryId ? { registryId: options.registryId } : {}),
    }),
  );
  return response.images?.[0];
}

beforeAll(async () => {
  emulator = await startEmulator();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
});

describe('promote-image into another repository', () => {
  it.each<[SeedImageShape, number]>([
    // One manifest: its config and layer.
    ['single', 2],
    // An index with arm64 and amd64 images: two configs and two layers.
    ['index', 4],
    // Plus one attestation manifest per platform, each with a config and a statement layer.
    ['index-with-attestation', 8],
  ])('copies a %s image', async (shape, blobs) => {
    const image = await emulator.seedImage({ repository: 'quiz-backend', tag: 'sha-1a2b3c4', shape, platforms: ['linux/arm64', 'linux/amd64'], seed: shape });
    await createRepository('quiz-backend-production');

    const run = await promote({ source: `${REGISTRY}/quiz-backend:sha-1a2b3c4`, 'target-repository': 'quiz-backend-production', tags: 'v1.2.3' });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs.digest).toBe(image.digest);
    expect(run.outputs['image-uri']).toBe(`${REGISTRY}/quiz-backend-production@${image.digest}`);
    expect(run.outputs['blobs-copied']).toBe(String(blobs));
    expect(Number(run.outputs['bytes-copied'])).toBeGreaterThan(0);
    const tagged = await readImage('quiz-backend-production', { imageTag: 'v1.2.3' });
    expect(tagged?.imageManifest).toBe(image.manifest);
    expect(manifestDigest(tagged?.imageManifest ?? '')).toBe(image.digest);
    for (const child of image.children) {
      const copied = await readImage('quiz-backend-production', { imageDigest: child.digest });
      expect(copied?.imageId?.imageDigest).toBe(child.digest);
    }
    expect(run.summary).toContain(`Copied into the target: ${image.children.length + 1} manifest(s), ${blobs} blob(s)`);
  });

  it('streams large layers', async () => {
    const image = await emulator.seedImage({ repository: 'quiz-backend', tag: 'v1', shape: 'single', seed: 'large', layerSizes: [12 * 1024 * 1024 + 3, 5 * 1024 * 1024] });
    await createRepository('quiz-backend-production');

    const run = await promote({ source: `${REGISTRY}/quiz-backend:v1`, 'target-repository': 'quiz-backend-production', tags: 'v1', concurrency: '2' });

    expect(run.exitCode).toBe(0);
    expect(run.outputs['blobs-copied']).toBe('3');
    const config = JSON.parse(image.manifest).config.size as number;
    expect(Number(run.outputs['bytes-copied'])).toBe(12 * 1024 * 1024 + 3 + 5 * 1024 * 1024 + config);
    expect((await readImage('quiz-backend-production', { imageTag: 'v1' }))?.imageId?.imageDigest).toBe(image.digest);
  });

  it('copies only what the target lacks', async () => {
    await emulator.seedImage({ repository: 'quiz-backend', tag: 'arm', shape: 'index', platforms: ['linux/arm64'], seed: 'shared' });
    const both = await emulator.seedImage({ repository: 'quiz-backend', tag: 'multi', shape: 'index', platforms: ['linux/arm64', 'linux/amd64'], seed: 'shared' });
    await createRepository('quiz-backend-production');
    expect((await promote({ source: `${REGISTRY}/quiz-backend:arm`, 'target-repository': 'quiz-backend-production', tags: 'arm' })).exitCode).toBe(0);

    const run = await promote({ source: `${REGISTRY}/quiz-backend:multi`, 'target-repository': 'quiz-backend-production', tags: 'multi' });

    expect(run.exitCode).toBe(0);
    // The arm64 image is already there; only the amd64 config and layer move.
    expect(run.outputs['blobs-copied']).toBe('2');
    expect(run.log).toContain('1 already in the target, 2 to copy.');
    expect((await readImage('quiz-backend-production', { imageTag: 'multi' }))?.imageId?.imageDigest).toBe(both.digest);

    const again = await promote({ source: `${REGISTRY}/quiz-backend:multi`, 'target-repository': 'quiz-backend-production', tags: 'multi, release' });
    expect(again.exitCode).toBe(0);
    expect(again.outputs['blobs-copied']).toBe('0');
    expect(JSON.parse(again.outputs.tags ?? '')).toEqual([
      { tag: 'multi', result: 'unchanged' },
      { tag: 'release', result: 'created' },
    ]);
  });

  it('copies into another account', async () => {
    const image = await emulator.seedImage({ repository: 'quiz-backend', tag: 'v1', shape: 'index-with-attestation', seed: 'account' });
    await createRepository('quiz-backend', { registryId: OTHER_ACCOUNT });
    const target = `${OTHER_ACCOUNT}.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend`;

    const run = await promote({ source: `${REGISTRY}/quiz-backend:v1`, 'target-repository': target, tags: 'release' });

    expect(run.exitCode).toBe(0);
    expect(run.outputs['image-uri']).toBe(`${target}@${image.digest}`);
    expect((await readImage('quiz-backend', { imageTag: 'release' }, { registryId: OTHER_ACCOUNT }))?.imageManifest).toBe(image.manifest);
    expect(await readImage('quiz-backend', { imageTag: 'release' })).toBeUndefined();
  });

  it('copies into another region', async () => {
    const image = await emulator.seedImage({ repository: 'quiz-backend', tag: 'v1', shape: 'index', seed: 'region' });
    await createRepository('quiz-backend', { region: 'eu-west-1' });
    const target = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/quiz-backend`;

    const run = await promote({ source: `${REGISTRY}/quiz-backend:v1`, 'target-repository': target, tags: 'release' });

    expect(run.exitCode).toBe(0);
    expect(run.outputs['image-uri']).toBe(`${target}@${image.digest}`);
    expect((await readImage('quiz-backend', { imageTag: 'release' }, { region: 'eu-west-1' }))?.imageId?.imageDigest).toBe(image.digest);
  });

  it('refuses an immutable tag', async () => {
    const image = await emulator.seedImage({ repository: 'quiz-backend', tag: 'v1', shape: 'single', seed: 'new' });
    await createRepository('quiz-backend-production', { imageTagMutability: 'IMMUTABLE' });
    const old = await emulator.seedImage({ repository: 'quiz-backend-production', tag: 'release', shape: 'single', seed: 'old' });

    const run = await promote({ source: `${REGISTRY}/quiz-backend:v1`, 'target-repository': 'quiz-backend-production', tags: 'release', 'allow-overwrite': 'true' });

    expect(run.exitCode).toBe(1);
    expect(run.annotations).toEqual([
      {
        level: 'error',
        message: `promote-image: Tag "release" names ${old.digest} and is immutable in repository "quiz-backend-production" (IMMUTABLE), so it cannot name ${image.digest}. Use a new tag. No tag was changed.`,
      },
    ]);
    expect((await readImage('quiz-backend-production', { imageDigest: image.digest }))).toBeUndefined();
  });

  it('names a missing target repository', async () => {
    await emulator.seedImage({ repository: 'quiz-backend', tag: 'v1', shape: 'single', seed: 'missing' });

    const run = await promote({ source: `${REGISTRY}/quiz-backend:v1`, 'target-repository': 'quiz-backend-staging', tags: 'v1' });

    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toBe(
      'promote-image: Repository "quiz-backend-staging" not found in registry 123456789012 (ap-south-1). Check the repository and account in "target-repository", or create the repository with aws ecr create-repository.',
    );
  });
});
