import { describe, expect, it } from '@jest/globals';
import { InputError } from '@ecs-deploy-kit/shared';

import { readInputs } from '../src/inputs.ts';

const REGISTRY = '123456789012.dkr.ecr.ap-south-1.amazonaws.com';
const DIGEST = `sha256:${'a'.repeat(64)}`;

function read(values: Record<string, string>) {
  return readInputs((name) => values[name] ?? '');
}

function inputErrorOf(values: Record<string, string>): InputError {
  try {
    read(values);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('readInputs accepted the inputs');
}

describe('readInputs', () => {
  it('reads a source by tag', () => {
    const inputs = read({ source: `${REGISTRY}/quiz-backend:sha-1a2b3c4`, tags: 'v1.2.3\nrelease' });

    expect(inputs.source.registry).toBe(REGISTRY);
    expect(inputs.source.repository).toBe('quiz-backend');
    expect(inputs.source.tag).toBe('sha-1a2b3c4');
    expect(inputs.source.ecr).toEqual({ accountId: '123456789012', region: 'ap-south-1' });
    expect(inputs.tags).toEqual(['v1.2.3', 'release']);
  });

  it('reads a source by digest', () => {
    const inputs = read({ source: `999999999999.dkr.ecr.eu-west-1.amazonaws.com/team/api@${DIGEST}`, tags: 'release, release,v2' });

    expect(inputs.source.digest).toBe(DIGEST);
    expect(inputs.source.repository).toBe('team/api');
    expect(inputs.source.ecr).toEqual({ accountId: '999999999999', region: 'eu-west-1' });
    expect(inputs.tags).toEqual(['release', 'v2']);
  });

  it.each([
    ['source', { tags: 'v1' }, 'is required'],
    ['source', { source: 'quiz-backend:v1', tags: 'v1' }, 'is not in an ECR registry'],
    ['source', { source: 'ghcr.io/org/quiz-backend:v1', tags: 'v1' }, 'is not in an ECR registry'],
    ['source', { source: `${REGISTRY}/quiz-backend`, tags: 'v1' }, 'names neither a tag nor a digest'],
    ['source', { source: `${REGISTRY}/quiz-backend@sha256:abc`, tags: 'v1' }, 'is not sha256: followed by 64'],
    ['source', { source: `${REGISTRY}/Quiz-Backend:v1`, tags: 'v1' }, 'is not a valid repository name'],
    ['tags', { source: `${REGISTRY}/quiz-backend:v1` }, 'is required'],
    ['tags', { source: `${REGISTRY}/quiz-backend:v1`, tags: 'quiz-backend:v2' }, 'is an image reference, not a tag'],
    ['tags', { source: `${REGISTRY}/quiz-backend:v1`, tags: '-v2' }, '"-v2" is not a valid tag'],
    ['tags', { source: `${REGISTRY}/quiz-backend:v1`, tags: 'v'.repeat(129) }, 'is not a valid tag'],
  ])('rejects bad %s', (input, values, fragment) => {
    const error = inputErrorOf(values);

    expect(error.input).toBe(input);
    expect(error.message).toContain(`Input "${input}"`);
    expect(error.message).toContain(fragment);
  });
});
