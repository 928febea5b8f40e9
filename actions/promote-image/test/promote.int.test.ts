import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { BatchGetImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { runActionBundle } from '@ecs-deploy-kit/action-runner';
import { startEmulator } from '@ecs-deploy-kit/emulator';
import type { Emulator, SeededImage } from '@ecs-deploy-kit/emulator';

import { ACCEPTED_MEDIA_TYPES, manifestDigest } from '../src/manifest.ts';

const ACTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REGISTRY = '123456789012.dkr.ecr.ap-south-1.amazonaws.com';

let emulator: Emulator;
let ecr: ECRClient;
let image: SeededImage;

function awsEnv(): Record<string, string> {
  return { AWS_ENDPOINT_URL: emulator.endpoint, AWS_REGION: 'ap-south-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
}

function promote(inputs: Record<string, string>) {
  return runActionBundle(ACTION_DIR, { inputs, env: awsEnv() });
}

/** Reads a tag back with the real SDK, accepting every media type so nothing is converted. */
async function readTag(tag: string): Promise<{ digest?: string; manifest?: string; mediaType?: string }> {
  const response = await ecr.send(
    new BatchGetImageCommand({ repositoryName: 'quiz-backend', imageIds: [{ imageTag: tag }], acceptedMediaTypes: ACCEPTED_MEDIA_TYPES }),
  );
  const found = response.images?.[0];
  return { digest: found?.imageId?.imageDigest, manifest: found?.imageManifest, mediaType: found?.imageManifestMediaType };
}

beforeAll(async () => {
  emulator = await startEmulator();
  ecr = new ECRClient({ region: 'ap-south-1', endpoint: emulator.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(async () => {
  ecr?.destroy();
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
  image = await emulator.seedImage({ repository: 'quiz-backend', tag: 'sha-1a2b3c4', shape: 'index-with-attestation' });
});

describe('promote-image bundle', () => {
  it.each([
    ['tag', () => `${REGISTRY}/quiz-backend:sha-1a2b3c4`],
    ['digest', () => `${REGISTRY}/quiz-backend@${image.digest}`],
  ])('promotes by %s', async (_kind, source) => {
    const run = await promote({ source: source(), tags: 'v1.2.3\nrelease' });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs.digest).toBe(image.digest);
    expect(run.outputs['image-uri']).toBe(`${REGISTRY}/quiz-backend@${image.digest}`);
    expect(run.outputs['media-type']).toBe(image.mediaType);
    expect(JSON.parse(run.outputs.tags ?? '')).toEqual([
      { tag: 'v1.2.3', result: 'created' },
      { tag: 'release', result: 'created' },
    ]);
    for (const tag of ['v1.2.3', 'release']) {
      const readBack = await readTag(tag);
      expect(readBack.digest).toBe(image.digest);
      expect(readBack.manifest).toBe(image.manifest);
      expect(manifestDigest(readBack.manifest ?? '')).toBe(image.digest);
    }
    expect(run.summary).toContain('| v1.2.3 | created | - |');
  });

  it('leaves tags unchanged on a second run', async () => {
    const source = `${REGISTRY}/quiz-backend:sha-1a2b3c4`;
    const first = await promote({ source, tags: 'v1.2.3, release' });
    expect(first.exitCode).toBe(0);

    const second = await promote({ source, tags: 'v1.2.3, release' });

    expect(second.exitCode).toBe(0);
    expect(JSON.parse(second.outputs.tags ?? '')).toEqual([
      { tag: 'v1.2.3', result: 'unchanged' },
      { tag: 'release', result: 'unchanged' },
    ]);
    expect(second.log).toContain(`Tag "release" already names ${image.digest}: unchanged.`);
    expect((await readTag('release')).digest).toBe(image.digest);
  });

  it('leaves one tag unchanged by digest', async () => {
    const source = `${REGISTRY}/quiz-backend@${image.digest}`;
    expect((await promote({ source, tags: 'release' })).exitCode).toBe(0);

    const second = await promote({ source, tags: 'release' });

    expect(second.exitCode).toBe(0);
    expect(JSON.parse(second.outputs.tags ?? '')).toEqual([{ tag: 'release', result: 'unchanged' }]);
    expect((await readTag('release')).manifest).toBe(image.manifest);
  });

  it('moves a tag to the new digest', async () => {
    const newer = await emulator.seedImage({ repository: 'quiz-backend', tag: 'sha-9f8e7d6', shape: 'index-with-attestation' });
    expect((await promote({ source: `${REGISTRY}/quiz-backend:sha-1a2b3c4`, tags: 'release' })).exitCode).toBe(0);

    const rejected = await promote({ source: `${REGISTRY}/quiz-backend:sha-9f8e7d6`, tags: 'release' });
    expect(rejected.exitCode).toBe(1);
    expect(rejected.annotations[0]?.message).toBe(
      `promote-image: Tag "release" names ${image.digest}, not ${newer.digest}. Set allow-overwrite: true to move it, or use a new tag. No tag was changed.`,
    );

    const run = await promote({ source: `${REGISTRY}/quiz-backend:sha-9f8e7d6`, tags: 'release', 'allow-overwrite': 'true' });

    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.outputs.tags ?? '')).toEqual([{ tag: 'release', result: 'moved', previousDigest: image.digest }]);
    expect((await readTag('release')).digest).toBe(newer.digest);
  });

  it('names a missing tag', async () => {
    const run = await promote({ source: `${REGISTRY}/quiz-backend:sha-0000000`, tags: 'release' });

    expect(run.exitCode).toBe(1);
    expect(run.annotations).toEqual([
      {
        level: 'error',
        message:
          'promote-image: Tag "sha-0000000" not found in repository "quiz-backend" (registry 123456789012, ap-south-1). Check "source": push the image first, or fix the tag or digest.',
      },
    ]);
  });

  it('names a missing repository', async () => {
    const run = await promote({ source: `${REGISTRY}/quiz-frontend:v1`, tags: 'release' });

    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toBe(
      'promote-image: Repository "quiz-frontend" not found in registry 123456789012 (ap-south-1). Check the repository and account in "source", or create the repository with aws ecr create-repository.',
    );
  });

  it.each([
    ['source', { source: 'ghcr.io/org/quiz-backend:sha-1a2b3c4', tags: 'release' }, 'promote-image: Input "source": "ghcr.io/org/quiz-backend:sha-1a2b3c4" is not in an ECR registry.'],
    ['tags', { source: `${REGISTRY}/quiz-backend:sha-1a2b3c4`, tags: '' }, 'promote-image: Input "tags": is required but was empty.'],
    ['tags', { source: `${REGISTRY}/quiz-backend:sha-1a2b3c4`, tags: 'release,.hidden' }, 'promote-image: Input "tags": ".hidden" is not a valid tag.'],
    ['concurrency', { source: `${REGISTRY}/quiz-backend:sha-1a2b3c4`, tags: 'release', concurrency: '0' }, 'promote-image: Input "concurrency"'],
  ])('names bad %s', async (_input, inputs, start) => {
    const run = await promote(inputs);

    expect(run.exitCode).toBe(1);
    expect(run.annotations).toHaveLength(1);
    expect(run.annotations[0]?.message.startsWith(start)).toBe(true);
    expect(run.stdout).not.toContain('    at ');
  });
});
