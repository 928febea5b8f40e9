import type { ECRClient } from '@aws-sdk/client-ecr';
import { ActionError, errorMessage, isAccessDeniedError, isCredentialsError } from '@ecs-deploy-kit/shared';
import type { Logger } from '@ecs-deploy-kit/shared';

import { awsErrorName, explainEcrError } from './errors.ts';
import type { RepositoryTarget } from './errors.ts';
import type { Inputs, SourceImage } from './inputs.ts';
import { isSchema1, manifestDigest, manifestMediaType } from './manifest.ts';
import { batchGetImage, putImage, readTags } from './registry.ts';
import type { TagState } from './registry.ts';

export interface Deps {
  ecr: ECRClient;
  logger: Logger;
}

/** The source image as resolved once: its exact manifest, media type and digest. */
export interface ResolvedImage {
  manifest: string;
  mediaType: string;
  digest: string;
}

export type TagOutcome = 'created' | 'moved' | 'unchanged';

export interface TagResult {
  tag: string;
  result: TagOutcome;
  /** The digest the tag named before a move. */
  previousDigest?: string;
}

export interface Result {
  digest: string;
  /** `registry/repository@sha256:…`, the reference a deployment should use. */
  imageUri: string;
  mediaType: string;
  tags: TagResult[];
}

/** A tag change that PutImage made or tried, with the PutImage error if it threw. */
interface TagChange extends TagResult {
  putError?: unknown;
}

export async function run(inputs: Inputs, deps: Deps): Promise<Result> {
  const target = repositoryTarget(inputs.source);

  const image = await deps.logger.group('Resolve the source image', () => resolveSource(inputs.source, target, deps));

  const current = await deps.logger.group('Read the tags', async () => {
    const states = await readTags(deps.ecr, target, inputs.tags);
    for (const [tag, state] of states) deps.logger.info(`Tag "${tag}": ${state.digest ?? 'does not exist'}`);
    return states;
  });

  const changes = await deps.logger.group('Move the tags', () => applyTags(inputs.tags, current, image, target, deps));

  await deps.logger.group('Verify the tags', () => verifyTags(changes, image, target, deps));

  return {
    digest: image.digest,
    imageUri: `${inputs.source.registry}/${inputs.source.repository}@${image.digest}`,
    mediaType: image.mediaType,
    tags: changes.map(({ tag, result, previousDigest }) => (previousDigest ? { tag, result, previousDigest } : { tag, result })),
  };
}

function repositoryTarget(source: SourceImage): RepositoryTarget {
  return { registryId: source.ecr.accountId, repositoryName: source.repository, region: source.ecr.region };
}

/**
 * Reads the source manifest once and checks that its bytes hash to the digest ECR reports and,
 * when the source names a digest, to that digest too.
 */
async function resolveSource(source: SourceImage, target: RepositoryTarget, deps: Deps): Promise<ResolvedImage> {
  const imageId = source.digest ? { imageDigest: source.digest } : { imageTag: source.tag as string };
  const subject = source.digest ? `image ${source.digest}` : `tag "${source.tag}"`;
  const named = subject.charAt(0).toUpperCase() + subject.slice(1);
  if (source.digest && source.tag) deps.logger.info(`The source names both tag "${source.tag}" and a digest; the digest decides.`);

  const { images, failures } = await batchGetImage(deps.ecr, target, [imageId]);
  const found = images[0];
  if (!found) {
    const failure = failures[0];
    if (failure === undefined || failure.failureCode === 'ImageNotFound') {
      throw new ActionError(
        `${named} not found in repository "${target.repositoryName}" (registry ${target.registryId}, ${target.region}). ` +
          'Check "source": push the image first, or fix the tag or digest.',
      );
    }
    throw new ActionError(`BatchGetImage could not read ${subject} from repository "${target.repositoryName}": ${failure.failureCode}: ${failure.failureReason ?? 'no reason given'}.`);
  }

  const manifest = found.imageManifest;
  if (manifest === undefined) throw new ActionError(`ECR returned no manifest for ${subject} in repository "${target.repositoryName}".`);
  const reportedDigest = found.imageId?.imageDigest;
  const mediaType = manifestMediaType(manifest, found.imageManifestMediaType);

  if (isSchema1(manifest, mediaType)) {
    throw new ActionError(
      `${named} in repository "${target.repositoryName}" is a Docker image manifest schema 1, which cannot be promoted by digest. ` +
        'Push the image again with a current Docker or BuildKit, which writes schema 2 or OCI manifests.',
    );
  }
  if (mediaType === undefined) {
    throw new ActionError(`${named} in repository "${target.repositoryName}" has no media type, neither from ECR nor in the manifest, so PutImage cannot be called safely.`);
  }

  const digest = manifestDigest(manifest);
  if (reportedDigest !== digest) {
    throw new ActionError(
      `The manifest ECR returned for ${subject} hashes to ${digest}, but ECR reports ${reportedDigest ?? 'no digest'}. ` +
        'Nothing was tagged, because tagging changed bytes would create a different image. Inspect the image with aws ecr batch-get-image.',
    );
  }
  if (source.digest && source.digest !== digest) {
    throw new ActionError(`The manifest ECR returned for ${source.digest} hashes to ${digest}; nothing was tagged.`);
  }

  deps.logger.info(`${named}: ${digest} (${mediaType}, ${Buffer.byteLength(manifest, 'utf8')} bytes).`);
  return { manifest, mediaType, digest };
}

/**
 * Points each tag at the image with PutImage unless it already names the digest. When PutImage
 * throws for a reason other than credentials or permissions, the tag is decided in
 * verifyTags by reading it back, because another job may have set it at the same time.
 */
async function applyTags(
  tags: string[],
  current: Map<string, TagState>,
  image: ResolvedImage,
  target: RepositoryTarget,
  deps: Deps,
): Promise<TagChange[]> {
  const changes: TagChange[] = [];
  for (const tag of tags) {
    const previous = current.get(tag)?.digest;
    if (previous === image.digest) {
      deps.logger.info(`Tag "${tag}" already names ${image.digest}: unchanged.`);
      changes.push({ tag, result: 'unchanged' });
      continue;
    }

    const change: TagChange = previous === undefined ? { tag, result: 'created' } : { tag, result: 'moved', previousDigest: previous };
    try {
      await putImage(deps.ecr, target, image, tag);
      deps.logger.info(previous === undefined ? `Tag "${tag}" created.` : `Tag "${tag}" moved from ${previous}.`);
    } catch (error) {
      if (isAccessDeniedError(error) || isCredentialsError(error) || awsErrorName(error) === 'RepositoryNotFoundException') {
        throw explainEcrError(error, 'PutImage', target);
      }
      deps.logger.info(`PutImage for tag "${tag}" failed (${awsErrorName(error) || 'error'}: ${errorMessage(error)}); the read-back decides.`);
      change.putError = error;
    }
    changes.push(change);
  }
  return changes;
}

/** Reads every tag back and fails unless each names the digest with the same manifest bytes. */
async function verifyTags(changes: TagChange[], image: ResolvedImage, target: RepositoryTarget, deps: Deps): Promise<void> {
  const states = await readTags(
    deps.ecr,
    target,
    changes.map((change) => change.tag),
  );

  const problems: string[] = [];
  for (const change of changes) {
    const state = states.get(change.tag) ?? {};
    if (state.digest === image.digest && state.manifest !== undefined && manifestDigest(state.manifest) === image.digest) {
      deps.logger.info(`Tag "${change.tag}" names ${image.digest}: verified.`);
      continue;
    }
    problems.push(describeVerifyFailure(change, state, image, target));
  }

  if (problems.length > 0) throw new ActionError(problems.join(' '));
}

function describeVerifyFailure(change: TagChange, state: TagState, image: ResolvedImage, target: RepositoryTarget): string {
  const now = state.digest === undefined ? 'does not exist' : `names ${state.digest}`;
  const base = `Tag "${change.tag}" in repository "${target.repositoryName}" ${now} after promotion, not ${image.digest}.`;

  if (state.digest === image.digest) {
    return `Tag "${change.tag}" names ${image.digest} but returned different manifest bytes; compare the tag's manifest with the source.`;
  }
  if (change.putError === undefined) return `${base} Another job may have moved it; run the promotion again.`;
  if (awsErrorName(change.putError) === 'ImageTagAlreadyExistsException') {
    return `${base} The repository has tag immutability on (ImageTagAlreadyExistsException): use a new tag, or set the repository's tag mutability to MUTABLE.`;
  }
  return `${base} PutImage failed: ${awsErrorName(change.putError) || 'error'}: ${errorMessage(change.putError)}`;
}
