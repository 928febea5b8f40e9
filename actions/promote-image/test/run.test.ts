import { BatchGetImageCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { ActionError, MemoryLogger } from '@ecs-deploy-kit/shared';

import { readInputs } from '../src/inputs.ts';
import { manifestDigest } from '../src/manifest.ts';
import { run } from '../src/run.ts';
import { renderOutputs, renderSummary } from '../src/summary.ts';
import { FakeRepository, INDEX_DIGEST, INDEX_MANIFEST, INDEX_MEDIA_TYPE, OTHER_DIGEST, OTHER_MANIFEST, REGISTRY, REPOSITORY } from './fake-registry.ts';

const ALL_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

const repository = new FakeRepository();
let logger: MemoryLogger;

beforeEach(() => {
  repository.reset();
  logger = new MemoryLogger();
});

async function promote(source: string, tags: string, options: Record<string, string> = {}) {
  const values: Record<string, string> = { source, tags, ...options };
  const inputs = readInputs((name) => values[name] ?? '', { AWS_REGION: 'ap-south-1' });
  const ecr = new ECRClient({ region: 'ap-south-1' });
  // A same-repository promotion downloads nothing, so any download is a failure.
  const fetch = (url: string): Promise<Response> => Promise.reject(new Error(`unexpected download of ${url}`));
  return run(inputs, { sourceEcr: ecr, targetEcr: ecr, logger, fetch });
}

describe('run', () => {
  it('sends the exact call sequence', async () => {
    repository.push(INDEX_MANIFEST, INDEX_MEDIA_TYPE, ['sha-1a2b3c4']);

    const result = await promote(`${REGISTRY}/${REPOSITORY}:sha-1a2b3c4`, 'v1.2.3');

    expect(repository.commandNames()).toEqual(['BatchGetImageCommand', 'BatchGetImageCommand', 'PutImageCommand', 'BatchGetImageCommand']);
    const reads = repository.mock.commandCalls(BatchGetImageCommand).map((call) => call.args[0].input);
    expect(reads[0]).toEqual({
      registryId: '123456789012',
      repositoryName: REPOSITORY,
      imageIds: [{ imageTag: 'sha-1a2b3c4' }],
      acceptedMediaTypes: ALL_MEDIA_TYPES,
    });
    expect(reads[1]).toEqual({ registryId: '123456789012', repositoryName: REPOSITORY, imageIds: [{ imageTag: 'v1.2.3' }], acceptedMediaTypes: ALL_MEDIA_TYPES });
    expect(reads[2]).toEqual(reads[1]);
    expect(repository.mock.commandCalls(PutImageCommand)[0]?.args[0].input).toEqual({
      registryId: '123456789012',
      repositoryName: REPOSITORY,
      imageManifest: INDEX_MANIFEST,
      imageManifestMediaType: INDEX_MEDIA_TYPE,
      imageDigest: INDEX_DIGEST,
      imageTag: 'v1.2.3',
    });
    expect(result).toEqual({
      digest: INDEX_DIGEST,
      imageUri: `${REGISTRY}/${REPOSITORY}@${INDEX_DIGEST}`,
      mediaType: INDEX_MEDIA_TYPE,
      tags: [{ tag: 'v1.2.3', result: 'created' }],
      copied: false,
      manifestsCopied: 0,
      blobsCopied: 0,
      bytesCopied: 0,
    });
    expect(repository.tags.get('v1.2.3')).toBe(INDEX_DIGEST);
  });

  it('resolves by digest', async () => {
    repository.push(INDEX_MANIFEST, INDEX_MEDIA_TYPE, []);

    const result = await promote(`${REGISTRY}/${REPOSITORY}@${INDEX_DIGEST}`, 'release');

    expect(repository.mock.commandCalls(BatchGetImageCommand)[0]?.args[0].input.imageIds).toEqual([{ imageDigest: INDEX_DIGEST }]);
    expect(result.tags).toEqual([{ tag: 'release', result: 'created' }]);
  });

  it('skips tags that already match', async () => {
    repository.push(INDEX_MANIFEST, INDEX_MEDIA_TYPE, ['sha-1a2b3c4', 'v1.2.3']);

    const result = await promote(`${REGISTRY}/${REPOSITORY}:sha-1a2b3c4`, 'v1.2.3');

    expect(repository.mock.commandCalls(PutImageCommand)).toHaveLength(0);
    expect(result.tags).toEqual([{ tag: 'v1.2.3', result: 'unchanged' }]);
    expect(logger.lines).toContain(`Tag "v1.2.3" already names ${INDEX_DIGEST}: unchanged.`);
  });

  it('moves a tag and names the old digest', async () => {
    repository.push(INDEX_MANIFEST, INDEX_MEDIA_TYPE, ['sha-1a2b3c4']);
    repository.push(OTHER_MANIFEST, 'application/vnd.oci.image.manifest.v1+json', ['release']);

    const result = await promote(`${REGISTRY}/${REPOSITORY}:sha-1a2b3c4`, 'release', { 'allow-overwrite': 'true' });

    expect(result.tags).toEqual([{ tag: 'release', result: 'moved', previousDigest: OTHER_DIGEST }]);
    expect(repository.tags.get('release')).toBe(INDEX_DIGEST);
    expect(repository.mock.commandCalls(DescribeRepositoriesCommand)[0]?.args[0].input).toEqual({ registryId: '123456789012', repositoryNames: [REPOSITORY] });
  });

  it('refuses to move a tag by default', async () => {
    repository.push(INDEX_MANIFEST, INDEX_MEDIA_TYPE, ['sha-1a2b3c4']);
    repository.push(OTHER_MANIFEST, 'application/vnd.oci.image.manifest.v1+json', ['release']);

    await expect(promote(`${REGISTRY}/${REPOSITORY}:sha-1a2b3c4`, 'v1.2.3, release')).rejects.toThrow(
      `Tag "release" names ${OTHER_DIGEST}, not ${INDEX_DIGEST}. Set allow-overwrite: true to move it, or use a new tag. No tag was changed.`,
    );
    expect(repository.mock.commandCalls(PutImageCommand)).toHaveLength(0);
    expect(repository.tags.has('v1.2.3')).toBe(false);
  });

  it.each([
    ['IMMUTABLE', undefined],
    ['MUTABLE_WITH_EXCLUSION', [{ filter: 'rel*', filterType: 'WILDCARD' as const }]],
  ])('refuses an immutable tag (%s)', async (mode, filters) => {
    repository.push(INDEX_MANIFEST, INDEX_MEDIA_TYPE, ['sha-1a2b3c4']);
    repository.push(OTHER_MANIFEST, 'application/vnd.oci.image.manifest.v1+json', ['release']);
    repository.mutability = filters ? { imageTagMutability: mode, imageTagMutabilityExclusionFilters: filters } : { imageTagMutability: mode };

    await expect(promote(`${REGISTRY}/${REPOSITORY}:sha-1a2b3c4`, 'release', { 'allow-overwrite': 'true' })).rejects.toThrow(
      `Tag "release" names ${OTHER_DIGEST} and is immutable in repository "quiz-backend" (${mode}), so it cannot name ${INDEX_DIGEST}. Use a new tag. No tag was changed.`,
    );
    expect(repository.mock.commandCalls(PutImageCommand)).toHaveLength(0);
  });

  it('moves a tag an exclusion filter leaves mutable', async () => {
    repository.push(INDEX_MANIFEST, INDEX_MEDIA_TYPE, ['sha-1a2b3c4']);
    repository.push(OTHER_MANIFEST, 'application/vnd.oci.image.manifest.v1+json', ['release']);
    repository.mutability = { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: [{ filter: 'rel*', filterType: 'WILDCARD' }] };

    const result = await promote(`${REGISTRY}/${REPOSITORY}:sha-1a2b3c4`, 'release', { 'allow-overwrite': 'true' });

    expect(result.tags).toEqual([{ tag: 'release', result: 'moved', previousDigest: OTHER_DIGEST }]);
  });

  it('fails on an unexpected digest', async () => {
    repository.push(INDEX_MANIFEST, INDEX_MEDIA_TYPE, ['sha-1a2b3c4']);
    const expected = `sha256:${'b'.repeat(64)}`;

    await expect(promote(`${REGISTRY}/${REPOSITORY}:sha-1a2b3c4`, 'v1', { 'expected-digest': expected })).rejects.toThrow(
      `Tag "sha-1a2b3c4" names ${INDEX_DIGEST}, not the expected-digest ${expected}.`,
    );
    expect(repository.mock.commandCalls(PutImageCommand)).toHaveLength(0);
  });

  it.each([1, 5])('stays within 3 + %i calls', async (count) => {
    repository.push(INDEX_MANIFEST, INDEX_MEDIA_TYPE, ['sha-1a2b3c4']);
    const tags = Array.from({ length: count }, (_, index) => `v1.2.${index}`);

    const result = await promote(`${REGISTRY}/${REPOSITORY}:sha-1a2b3c4`, tags.join('\n'));

    expect(result.tags.map((item) => item.result)).toEqual(tags.map(() => 'created'));
    expect(repository.mock.calls().length).toBeLessThanOrEqual(3 + count);
    expect(repository.mock.commandCalls(PutImageCommand)).toHaveLength(count);
  });

  it('fails on a digest mismatch', async () => {
    repository.push(INDEX_MANIFEST, INDEX_MEDIA_TYPE, ['sha-1a2b3c4']);
    // ECR reports the digest of the stored bytes; here it returns other bytes under that digest.
    repository.mock.on(BatchGetImageCommand).resolves({
      images: [{ imageId: { imageTag: 'sha-1a2b3c4', imageDigest: INDEX_DIGEST }, imageManifest: `${INDEX_MANIFEST}\n`, imageManifestMediaType: INDEX_MEDIA_TYPE }],
      failures: [],
    });

    const promise = promote(`${REGISTRY}/${REPOSITORY}:sha-1a2b3c4`, 'v1.2.3');

    await expect(promise).rejects.toThrow(ActionError);
    await expect(promise).rejects.toThrow(`hashes to ${manifestDigest(`${INDEX_MANIFEST}\n`)}, but ECR reports ${INDEX_DIGEST}`);
    expect(repository.mock.commandCalls(PutImageCommand)).toHaveLength(0);
  });

  it('fails when the requested digest differs', async () => {
    const requested = `sha256:${'a'.repeat(64)}`;
    repository.mock.on(BatchGetImageCommand).resolves({
      images: [{ imageId: { imageDigest: INDEX_DIGEST }, imageManifest: INDEX_MANIFEST, imageManifestMediaType: INDEX_MEDIA_TYPE }],
      failures: [],
    });

    await expect(promote(`${REGISTRY}/${REPOSITORY}@${requested}`, 'v1')).rejects.toThrow(`The manifest ECR returned for ${requested} hashes to ${INDEX_DIGEST}`);
    expect(repository.mock.commandCalls(PutImageCommand)).toHaveLength(0);
  });

  it('rejects schema 1 manifests', async () => {
    const schema1 = JSON.stringify({ schemaVersion: 1, name: REPOSITORY, tag: 'old', fsLayers: [], history: [] });
    repository.push(schema1, 'application/vnd.docker.distribution.manifest.v1+json', ['old']);

    const promise = promote(`${REGISTRY}/${REPOSITORY}:old`, 'v1.2.3');

    await expect(promise).rejects.toThrow('Tag "old" in repository "quiz-backend" (registry 123456789012, ap-south-1) is a Docker image manifest schema 1, which cannot be promoted by digest.');
    expect(repository.mock.commandCalls(PutImageCommand)).toHaveLength(0);
  });

  it('decides a PutImage race by read-back', async () => {
    repository.push(INDEX_MANIFEST, INDEX_MEDIA_TYPE, ['sha-1a2b3c4']);
    // Another job tags v1.2.3 between our read and our PutImage, so ours is rejected.
    repository.mock.on(PutImageCommand).callsFake(() => {
      repository.tags.set('v1.2.3', INDEX_DIGEST);
      throw Object.assign(new Error('Image already exists'), { name: 'ImageAlreadyExistsException' });
    });

    const result = await promote(`${REGISTRY}/${REPOSITORY}:sha-1a2b3c4`, 'v1.2.3');

    expect(result.tags).toEqual([{ tag: 'v1.2.3', result: 'created' }]);
    expect(repository.commandNames()).toEqual(['BatchGetImageCommand', 'BatchGetImageCommand', 'PutImageCommand', 'BatchGetImageCommand']);
    expect(logger.text()).toContain('PutImage for tag "v1.2.3" failed (ImageAlreadyExistsException: Image already exists); the read-back decides.');
    expect(logger.text()).toContain(`Tag "v1.2.3" names ${INDEX_DIGEST}: verified.`);
  });

  it('fails when another job wins an immutable tag', async () => {
    repository.push(INDEX_MANIFEST, INDEX_MEDIA_TYPE, ['sha-1a2b3c4']);
    repository.push(OTHER_MANIFEST, 'application/vnd.oci.image.manifest.v1+json', []);
    // Between our read and our PutImage, another job points the immutable tag elsewhere.
    repository.mock.on(PutImageCommand).callsFake(() => {
      repository.tags.set('release', OTHER_DIGEST);
      throw Object.assign(new Error("The image tag 'release' already exists"), { name: 'ImageTagAlreadyExistsException' });
    });

    await expect(promote(`${REGISTRY}/${REPOSITORY}:sha-1a2b3c4`, 'release')).rejects.toThrow(
      `Tag "release" in repository "quiz-backend" names ${OTHER_DIGEST} after promotion, not ${INDEX_DIGEST}. Another job set this immutable tag first (ImageTagAlreadyExistsException); use a new tag.`,
    );
  });

  it('names a missing source tag', async () => {
    await expect(promote(`${REGISTRY}/${REPOSITORY}:sha-missing`, 'v1')).rejects.toThrow(
      'Tag "sha-missing" not found in repository "quiz-backend" (registry 123456789012, ap-south-1). Check "source": push the image first, or fix the tag or digest.',
    );
  });

  it('names a missing repository', async () => {
    repository.mock.on(BatchGetImageCommand).rejects(Object.assign(new Error('The repository does not exist'), { name: 'RepositoryNotFoundException' }));

    await expect(promote(`${REGISTRY}/quiz-frontend:v1`, 'v2')).rejects.toThrow(
      'Repository "quiz-frontend" not found in registry 123456789012 (ap-south-1). Check the repository and account in "source", or create the repository with aws ecr create-repository.',
    );
  });

  it('names the denied ECR action', async () => {
    repository.push(INDEX_MANIFEST, INDEX_MEDIA_TYPE, ['sha-1a2b3c4']);
    repository.mock.on(PutImageCommand).rejects(Object.assign(new Error('User is not authorized to perform: ecr:PutImage.'), { name: 'AccessDeniedException' }));

    const promise = promote(`${REGISTRY}/${REPOSITORY}:sha-1a2b3c4`, 'v1.2.3');

    await expect(promise).rejects.toThrow(
      'ecr:PutImage was denied: User is not authorized to perform: ecr:PutImage. Grant this action to the role the workflow assumes. ' +
        'It is needed on the target repository "quiz-backend" (registry 123456789012, ap-south-1). ' +
        'When the target registry 123456789012 belongs to another account, its repository policy must also allow ecr:PutImage.',
    );
    expect(repository.mock.commandCalls(PutImageCommand)).toHaveLength(1);
  });

  it('renders outputs and summary', async () => {
    repository.push(INDEX_MANIFEST, INDEX_MEDIA_TYPE, ['sha-1a2b3c4', 'v1.2.3']);
    repository.push(OTHER_MANIFEST, 'application/vnd.oci.image.manifest.v1+json', ['release']);

    const result = await promote(`${REGISTRY}/${REPOSITORY}:sha-1a2b3c4`, 'v1.2.3, release, latest', { 'allow-overwrite': 'true' });

    expect(renderOutputs(result)).toEqual({
      digest: INDEX_DIGEST,
      'image-uri': `${REGISTRY}/${REPOSITORY}@${INDEX_DIGEST}`,
      'media-type': INDEX_MEDIA_TYPE,
      tags: JSON.stringify([
        { tag: 'v1.2.3', result: 'unchanged' },
        { tag: 'release', result: 'moved', previousDigest: OTHER_DIGEST },
        { tag: 'latest', result: 'created' },
      ]),
      'blobs-copied': '0',
      'bytes-copied': '0',
    });
    expect(renderSummary(result)).toBe(
      [
        '### Image promoted',
        '',
        `Image: \`${REGISTRY}/${REPOSITORY}@${INDEX_DIGEST}\``,
        '',
        `Media type: \`${INDEX_MEDIA_TYPE}\``,
        '',
        'Same repository: tags only, no image data copied.',
        '',
        '| Tag | Result | Previous digest |',
        '| --- | --- | --- |',
        '| v1.2.3 | unchanged | - |',
        `| release | moved | ${OTHER_DIGEST} |`,
        '| latest | created | - |',
        '',
      ].join('\n'),
    );
  });
});
