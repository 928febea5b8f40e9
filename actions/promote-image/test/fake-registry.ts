import { BatchGetImageCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import type { BatchGetImageCommandOutput, Image, ImageFailure } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';

import { manifestDigest } from '../src/manifest.ts';

export const REGISTRY = '123456789012.dkr.ecr.ap-south-1.amazonaws.com';
export const REPOSITORY = 'quiz-backend';

/** An OCI image index with an arm64 image and an attestation manifest, as BuildKit pushes it. */
export const INDEX_MANIFEST = JSON.stringify(
  {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: `sha256:${'1'.repeat(64)}`,
        size: 1234,
        platform: { architecture: 'arm64', os: 'linux' },
      },
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: `sha256:${'2'.repeat(64)}`,
        size: 567,
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': `sha256:${'1'.repeat(64)}` },
        platform: { architecture: 'unknown', os: 'unknown' },
      },
    ],
  },
  null,
  3,
);
export const INDEX_DIGEST = manifestDigest(INDEX_MANIFEST);
export const INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';

export const OTHER_MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {}, layers: [] });
export const OTHER_DIGEST = manifestDigest(OTHER_MANIFEST);

interface StoredImage {
  manifest: string;
  mediaType: string;
}

/**
 * An ECR repository in memory behind aws-sdk-client-mock: BatchGetImage and PutImage read and
 * write its tags, so run() reads back the effects of its own calls.
 */
export class FakeRepository {
  readonly mock = mockClient(ECRClient);
  readonly images = new Map<string, StoredImage>();
  readonly tags = new Map<string, string>();
  /** The repository's settings as DescribeRepositories returns them. */
  mutability: { imageTagMutability: string; imageTagMutabilityExclusionFilters?: { filter: string; filterType: 'WILDCARD' }[] } = { imageTagMutability: 'MUTABLE' };

  constructor() {
    this.reset();
  }

  reset(): void {
    this.mock.reset();
    this.images.clear();
    this.tags.clear();
    this.mutability = { imageTagMutability: 'MUTABLE' };
    this.mock.on(DescribeRepositoriesCommand).callsFake((input: DescribeRepositoriesCommand['input']) => ({
      repositories: [{ repositoryName: input.repositoryNames?.[0], registryId: input.registryId, ...this.mutability }],
      $metadata: {},
    }));
    this.mock.on(BatchGetImageCommand).callsFake((input) => this.batchGetImage(input));
    this.mock.on(PutImageCommand).callsFake((input) => this.putImage(input));
  }

  push(manifest: string, mediaType: string, tags: string[]): string {
    const digest = manifestDigest(manifest);
    this.images.set(digest, { manifest, mediaType });
    for (const tag of tags) this.tags.set(tag, digest);
    return digest;
  }

  /** Names of the commands sent, in order. */
  commandNames(): string[] {
    return this.mock.calls().map((call) => (call.args[0] as object).constructor.name);
  }

  private batchGetImage(input: BatchGetImageCommand['input']): BatchGetImageCommandOutput {
    const images: Image[] = [];
    const failures: ImageFailure[] = [];
    for (const imageId of input.imageIds ?? []) {
      const digest = imageId.imageDigest ?? (imageId.imageTag ? this.tags.get(imageId.imageTag) : undefined);
      const stored = digest ? this.images.get(digest) : undefined;
      if (!digest || !stored) {
        failures.push({ imageId, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
        continue;
      }
      images.push({
        registryId: input.registryId,
        repositoryName: input.repositoryName,
        imageId: { imageDigest: digest, ...(imageId.imageTag ? { imageTag: imageId.imageTag } : {}) },
        imageManifest: stored.manifest,
        imageManifestMediaType: stored.mediaType,
      });
    }
    return { images, failures, $metadata: {} };
  }

  private putImage(input: PutImageCommand['input']) {
    const digest = manifestDigest(input.imageManifest ?? '');
    if (input.imageTag && this.tags.get(input.imageTag) === digest) {
      throw Object.assign(new Error(`Image with digest '${digest}' and tag '${input.imageTag}' already exists`), { name: 'ImageAlreadyExistsException' });
    }
    this.images.set(digest, { manifest: input.imageManifest ?? '', mediaType: input.imageManifestMediaType ?? '' });
    if (input.imageTag) this.tags.set(input.imageTag, digest);
    return { image: { imageId: { imageDigest: digest, imageTag: input.imageTag } }, $metadata: {} };
  }
}
