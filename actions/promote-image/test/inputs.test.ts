import { describe, expect, it } from '@jest/globals';
import { InputError } from '@ecs-deploy-kit/shared';

import { readInputs } from '../src/inputs.ts';

const REGISTRY = '123456789012.dkr.ecr.ap-south-1.amazonaws.com';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const ENV = { AWS_REGION: 'ap-south-1' };

function read(values: Record<string, string>, env: NodeJS.ProcessEnv = ENV) {
  return readInputs((name) => values[name] ?? '', env);
}

function inputErrorOf(values: Record<string, string>, env: NodeJS.ProcessEnv = ENV): InputError {
  try {
    read(values, env);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('readInputs accepted the inputs');
}

describe('readInputs', () => {
  it('reads a source by tag', () => {
    const inputs = read({ source: `${REGISTRY}/quiz-backend:sha-1a2b3c4`, tags: 'v1.2.3\nrelease' });

    expect(inputs.source).toEqual({ repository: 'quiz-backend', registryId: '123456789012', region: 'ap-south-1', tag: 'sha-1a2b3c4' });
    expect(inputs.target).toEqual({ repository: 'quiz-backend', registryId: '123456789012', region: 'ap-south-1' });
    expect(inputs.tags).toEqual(['v1.2.3', 'release']);
    expect(inputs.allowOverwrite).toBe(false);
    expect(inputs.concurrency).toBe(4);
    expect(inputs.expectedDigest).toBeUndefined();
  });

  it('reads a source by digest', () => {
    const inputs = read({ source: `999999999999.dkr.ecr.eu-west-1.amazonaws.com/team/api@${DIGEST}`, tags: 'release, release,v2' });

    expect(inputs.source).toEqual({ repository: 'team/api', registryId: '999999999999', region: 'eu-west-1', digest: DIGEST });
    expect(inputs.tags).toEqual(['release', 'v2']);
  });

  it('reads a plain repository name', () => {
    const inputs = read({ source: 'quiz-backend', 'source-tag': 'sha-1a2b3c4', tags: 'v1' }, { AWS_DEFAULT_REGION: 'eu-west-1' });

    expect(inputs.source).toEqual({ repository: 'quiz-backend', region: 'eu-west-1', tag: 'sha-1a2b3c4' });
    expect(inputs.target).toEqual({ repository: 'quiz-backend', region: 'eu-west-1' });
  });

  it('reads source-digest', () => {
    const inputs = read({ source: `${REGISTRY}/quiz-backend`, 'source-digest': DIGEST, tags: 'v1' });

    expect(inputs.source.digest).toBe(DIGEST);
    expect(inputs.source.tag).toBeUndefined();
  });

  it('reads a target name in the source registry', () => {
    const inputs = read({ source: `${REGISTRY}/quiz-backend:v1`, 'target-repository': 'quiz-backend-production', tags: 'v1' });

    expect(inputs.target).toEqual({ repository: 'quiz-backend-production', registryId: '123456789012', region: 'ap-south-1' });
  });

  it('reads a target in another account and region', () => {
    const inputs = read({ source: `${REGISTRY}/quiz-backend:v1`, 'target-repository': '210987654321.dkr.ecr.eu-west-1.amazonaws.com/quiz-backend', tags: 'v1' });

    expect(inputs.target).toEqual({ repository: 'quiz-backend', registryId: '210987654321', region: 'eu-west-1' });
  });

  it('reads the options', () => {
    const inputs = read({ source: `${REGISTRY}/quiz-backend:v1`, tags: 'v1', 'allow-overwrite': 'true', 'expected-digest': DIGEST, concurrency: '8' });

    expect(inputs.allowOverwrite).toBe(true);
    expect(inputs.expectedDigest).toBe(DIGEST);
    expect(inputs.concurrency).toBe(8);
  });

  it.each([
    ['source', { tags: 'v1' }, ENV, 'is required'],
    ['source', { source: 'ghcr.io/org/quiz-backend:v1', tags: 'v1' }, ENV, 'is not in an ECR registry'],
    ['source', { source: `${REGISTRY}/quiz-backend`, tags: 'v1' }, ENV, 'names neither a tag nor a digest'],
    ['source', { source: `${REGISTRY}/quiz-backend@sha256:abc`, tags: 'v1' }, ENV, 'is not sha256: followed by 64'],
    ['source', { source: `${REGISTRY}/Quiz-Backend:v1`, tags: 'v1' }, ENV, 'is not a valid repository name'],
    ['source', { source: 'quiz-backend:v1', tags: 'v1' }, {}, 'neither AWS_REGION nor AWS_DEFAULT_REGION is set'],
    ['source-tag', { source: `${REGISTRY}/quiz-backend:v1`, 'source-tag': 'v2', tags: 'v1' }, ENV, '"v2" differs from "v1"'],
    ['source-tag', { source: 'quiz-backend', 'source-tag': '.v2', tags: 'v1' }, ENV, 'is not a valid tag'],
    ['source-digest', { source: 'quiz-backend', 'source-digest': 'sha256:12', tags: 'v1' }, ENV, 'is not a digest'],
    ['target-repository', { source: `${REGISTRY}/quiz-backend:v1`, 'target-repository': 'Quiz', tags: 'v1' }, ENV, 'is not a valid repository name'],
    ['target-repository', { source: `${REGISTRY}/quiz-backend:v1`, 'target-repository': `${REGISTRY}/quiz-backend:v2`, tags: 'v1' }, ENV, 'includes a tag or digest'],
    ['target-repository', { source: `${REGISTRY}/quiz-backend:v1`, 'target-repository': 'ghcr.io/org/quiz', tags: 'v1' }, ENV, 'is not in an ECR registry'],
    ['tags', { source: `${REGISTRY}/quiz-backend:v1` }, ENV, 'is required'],
    ['tags', { source: `${REGISTRY}/quiz-backend:v1`, tags: 'quiz-backend:v2' }, ENV, 'is an image reference, not a tag'],
    ['tags', { source: `${REGISTRY}/quiz-backend:v1`, tags: '-v2' }, ENV, '"-v2" is not a valid tag'],
    ['tags', { source: `${REGISTRY}/quiz-backend:v1`, tags: 'v'.repeat(129) }, ENV, 'is not a valid tag'],
    ['allow-overwrite', { source: `${REGISTRY}/quiz-backend:v1`, tags: 'v1', 'allow-overwrite': 'maybe' }, ENV, 'maybe'],
    ['expected-digest', { source: `${REGISTRY}/quiz-backend:v1`, tags: 'v1', 'expected-digest': 'abc' }, ENV, 'is not a digest'],
    ['concurrency', { source: `${REGISTRY}/quiz-backend:v1`, tags: 'v1', concurrency: '0' }, ENV, '0'],
    ['concurrency', { source: `${REGISTRY}/quiz-backend:v1`, tags: 'v1', concurrency: '17' }, ENV, '17'],
  ])('rejects bad %s', (input, values, env, fragment) => {
    const error = inputErrorOf(values, env);

    expect(error.input).toBe(input);
    expect(error.message).toContain(`Input "${input}"`);
    expect(error.message).toContain(fragment);
  });
});
