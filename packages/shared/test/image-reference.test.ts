import { describe, expect, it } from '@jest/globals';

import { formatImageReference, parseImageReference } from '../src/index.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const REGISTRY = '123456789012.dkr.ecr.ap-south-1.amazonaws.com';

describe('parseImageReference', () => {
  it('reads an ECR reference by tag', () => {
    expect(parseImageReference('source', `${REGISTRY}/quiz-backend:v1.2.3`)).toEqual({
      registry: REGISTRY,
      repository: 'quiz-backend',
      tag: 'v1.2.3',
      ecr: { accountId: '123456789012', region: 'ap-south-1' },
    });
  });

  it('reads a reference by digest', () => {
    const reference = parseImageReference('image', `${REGISTRY}/team/quiz-backend@${DIGEST}`);
    expect(reference.repository).toBe('team/quiz-backend');
    expect(reference.digest).toBe(DIGEST);
    expect(reference.tag).toBeUndefined();
  });

  it('reads a bare repository name', () => {
    expect(parseImageReference('source', 'quiz-backend')).toEqual({ repository: 'quiz-backend' });
  });

  it('treats a host with a port as the registry', () => {
    expect(parseImageReference('source', 'localhost:5000/app:1').registry).toBe('localhost:5000');
  });

  it.each([
    ['', 'it is empty'],
    [`${REGISTRY}/quiz@sha256:abc`, 'the digest "sha256:abc"'],
    [`${REGISTRY}/Quiz:1`, 'the repository "Quiz"'],
    [`${REGISTRY}/quiz:-bad`, 'the tag "-bad"'],
  ])('rejects %p', (raw, why) => {
    expect(() => parseImageReference('image', raw)).toThrow(why);
  });

  it('formats back by digest', () => {
    const text = `${REGISTRY}/quiz-backend@${DIGEST}`;
    expect(formatImageReference(parseImageReference('image', text))).toBe(text);
  });
});
