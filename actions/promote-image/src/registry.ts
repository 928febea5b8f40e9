import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  DescribeRepositoriesCommand,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import type { ECRClient, Image, ImageFailure, ImageIdentifier, Repository } from '@aws-sdk/client-ecr';
import { ActionError } from '@ecs-deploy-kit/shared';

import { awsErrorName, explainEcrError } from './errors.ts';
import type { RepositoryTarget } from './errors.ts';
import { ACCEPTED_MEDIA_TYPES } from './manifest.ts';

// BatchGetImage and BatchCheckLayerAvailability take at most 100 IDs per call (ECR API
// reference: BatchGetImage imageIds, BatchCheckLayerAvailability layerDigests).
const MAX_IDS_PER_CALL = 100;

/** A tag as read from the repository: the digest it names, or undefined when it does not exist. */
export interface TagState {
  digest?: string;
  /** The manifest the tag returns, exactly as ECR sent it. */
  manifest?: string;
}

/** An ECR repository on one side of the promotion, with the client for its region. */
export interface Side {
  ecr: ECRClient;
  target: RepositoryTarget;
}

/** Returns the registryId and repositoryName request fields that address the repository. */
export function repositoryFields(target: RepositoryTarget): { registryId?: string; repositoryName: string } {
  return target.registryId ? { registryId: target.registryId, repositoryName: target.repositoryName } : { repositoryName: target.repositoryName };
}

export async function send<T>(side: Side, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw explainEcrError(error, operation, side.target);
  }
}

/** Reads images by tag or digest with BatchGetImage, asking for every manifest media type. */
export async function batchGetImage(side: Side, imageIds: ImageIdentifier[]): Promise<{ images: Image[]; failures: ImageFailure[] }> {
  const images: Image[] = [];
  const failures: ImageFailure[] = [];
  for (let start = 0; start < imageIds.length; start += MAX_IDS_PER_CALL) {
    const command = new BatchGetImageCommand({
      ...repositoryFields(side.target),
      imageIds: imageIds.slice(start, start + MAX_IDS_PER_CALL),
      acceptedMediaTypes: ACCEPTED_MEDIA_TYPES,
    });
    const response = await send(side, 'BatchGetImage', () => side.ecr.send(command));
    images.push(...(response.images ?? []));
    failures.push(...(response.failures ?? []));
  }
  return { images, failures };
}

/**
 * Reads the given tags in one BatchGetImage call (per 100 tags). A tag that does not exist is
 * returned without a digest; any other failure is an error.
 */
export async function readTags(side: Side, tags: string[]): Promise<Map<string, TagState>> {
  const { images, failures } = await batchGetImage(
    side,
    tags.map((imageTag) => ({ imageTag })),
  );

  const states = new Map<string, TagState>(tags.map((tag) => [tag, {}]));
  for (const image of images) {
    const tag = image.imageId?.imageTag;
    if (tag === undefined || !states.has(tag)) continue;
    const state: TagState = {};
    if (image.imageId?.imageDigest) state.digest = image.imageId.imageDigest;
    if (image.imageManifest !== undefined) state.manifest = image.imageManifest;
    states.set(tag, state);
  }

  for (const failure of failures) {
    if (failure.failureCode === 'ImageNotFound') continue;
    const tag = failure.imageId?.imageTag ?? failure.imageId?.imageDigest ?? 'unknown';
    throw new ActionError(
      `Reading tag "${tag}" from repository "${side.target.repositoryName}" failed: ${failure.failureCode ?? 'unknown failure'}: ${failure.failureReason ?? 'no reason given'}.`,
    );
  }
  return states;
}

/** Returns the digests among the given ones that are images in the repository. */
export async function existingImages(side: Side, digests: string[]): Promise<Set<string>> {
  if (digests.length === 0) return new Set();
  const { images } = await batchGetImage(
    side,
    digests.map((imageDigest) => ({ imageDigest })),
  );
  return new Set(images.map((image) => image.imageId?.imageDigest).filter((digest): digest is string => digest !== undefined));
}

/** Returns the blob digests among the given ones that the repository does not have. */
export async function missingBlobs(side: Side, digests: string[]): Promise<Set<string>> {
  const missing = new Set<string>();
  for (let start = 0; start < digests.length; start += MAX_IDS_PER_CALL) {
    const batch = digests.slice(start, start + MAX_IDS_PER_CALL);
    const command = new BatchCheckLayerAvailabilityCommand({ ...repositoryFields(side.target), layerDigests: batch });
    const response = await send(side, 'BatchCheckLayerAvailability', () => side.ecr.send(command));
    const available = new Set((response.layers ?? []).filter((layer) => layer.layerAvailability === 'AVAILABLE').map((layer) => layer.layerDigest));
    for (const digest of batch) if (!available.has(digest)) missing.add(digest);
  }
  return missing;
}

/**
 * Stores a manifest with PutImage, sending the exact bytes, media type and digest. Without a
 * tag it pushes an index child by digest; ImageAlreadyExistsException then means another job
 * pushed it first, which is the wanted state.
 */
export async function putImage(side: Side, image: { manifest: string; mediaType: string; digest: string }, tag?: string): Promise<void> {
  const command = new PutImageCommand({
    ...repositoryFields(side.target),
    imageManifest: image.manifest,
    imageManifestMediaType: image.mediaType,
    imageDigest: image.digest,
    ...(tag === undefined ? {} : { imageTag: tag }),
  });
  try {
    await side.ecr.send(command);
  } catch (error) {
    if (tag === undefined && awsErrorName(error) === 'ImageAlreadyExistsException') return;
    throw error;
  }
}

/** Reads the repository's tag mutability settings. */
export async function describeRepository(side: Side): Promise<Repository> {
  const command = new DescribeRepositoriesCommand({
    ...(side.target.registryId ? { registryId: side.target.registryId } : {}),
    repositoryNames: [side.target.repositoryName],
  });
  const response = await send(side, 'DescribeRepositories', () => side.ecr.send(command));
  const repository = response.repositories?.[0];
  if (!repository) throw new ActionError(`DescribeRepositories returned no repository "${side.target.repositoryName}".`);
  return repository;
}

/**
 * Returns true when the repository's settings forbid moving the tag: IMMUTABLE,
 * IMMUTABLE_WITH_EXCLUSION unless a filter matches, MUTABLE_WITH_EXCLUSION when one matches.
 * Filters are ECR wildcards where "*" matches any characters.
 */
export function isTagImmutable(repository: Repository, tag: string): boolean {
  const filters = repository.imageTagMutabilityExclusionFilters ?? [];
  const excluded = filters.some((filter) => wildcardPattern(filter.filter ?? '').test(tag));
  switch (repository.imageTagMutability) {
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !excluded;
    case 'MUTABLE_WITH_EXCLUSION':
      return excluded;
    default:
      return false;
  }
}

function wildcardPattern(filter: string): RegExp {
  const escaped = filter.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
