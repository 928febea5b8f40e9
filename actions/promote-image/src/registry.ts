import { BatchGetImageCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import type { ECRClient, Image, ImageFailure, ImageIdentifier } from '@aws-sdk/client-ecr';
import { ActionError } from '@ecs-deploy-kit/shared';

import { explainEcrError } from './errors.ts';
import type { RepositoryTarget } from './errors.ts';
import { ACCEPTED_MEDIA_TYPES } from './manifest.ts';

// BatchGetImage takes at most 100 image IDs per call (ECR API reference, BatchGetImage, imageIds).
const MAX_IMAGE_IDS = 100;

/** A tag as read from the repository: the digest it names, or undefined when it does not exist. */
export interface TagState {
  digest?: string;
  /** The manifest the tag returns, exactly as ECR sent it. */
  manifest?: string;
}

/** Reads images by tag or digest with BatchGetImage, asking for every manifest media type. */
export async function batchGetImage(
  ecr: ECRClient,
  target: RepositoryTarget,
  imageIds: ImageIdentifier[],
): Promise<{ images: Image[]; failures: ImageFailure[] }> {
  const images: Image[] = [];
  const failures: ImageFailure[] = [];
  for (let start = 0; start < imageIds.length; start += MAX_IMAGE_IDS) {
    let response;
    try {
      response = await ecr.send(
        new BatchGetImageCommand({
          registryId: target.registryId,
          repositoryName: target.repositoryName,
          imageIds: imageIds.slice(start, start + MAX_IMAGE_IDS),
          acceptedMediaTypes: ACCEPTED_MEDIA_TYPES,
        }),
      );
    } catch (error) {
      throw explainEcrError(error, 'BatchGetImage', target);
    }
    images.push(...(response.images ?? []));
    failures.push(...(response.failures ?? []));
  }
  return { images, failures };
}

/**
 * Reads the given tags in one BatchGetImage call (per 100 tags). A tag that does not exist is
 * returned without a digest; any other failure is an error.
 */
export async function readTags(ecr: ECRClient, target: RepositoryTarget, tags: string[]): Promise<Map<string, TagState>> {
  const { images, failures } = await batchGetImage(
    ecr,
    target,
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
      `Reading tag "${tag}" from repository "${target.repositoryName}" failed: ${failure.failureCode ?? 'unknown failure'}: ${failure.failureReason ?? 'no reason given'}.`,
    );
  }
  return states;
}

/** Points a tag at the manifest with PutImage, sending the exact manifest bytes and digest. */
export async function putImage(
  ecr: ECRClient,
  target: RepositoryTarget,
  image: { manifest: string; mediaType: string; digest: string },
  tag: string,
): Promise<void> {
  await ecr.send(
    new PutImageCommand({
      registryId: target.registryId,
      repositoryName: target.repositoryName,
      imageManifest: image.manifest,
      imageManifestMediaType: image.mediaType,
      imageDigest: image.digest,
      imageTag: tag,
    }),
  );
}
