import type { ECRClient, Repository } from '@aws-sdk/client-ecr';
import { ActionError, errorMessage, isAccessDeniedError, isCredentialsError } from '@ecs-deploy-kit/shared';
import type { Logger } from '@ecs-deploy-kit/shared';

import { copyImage } from './copy.ts';
import type { CopyResult, Fetcher } from './copy.ts';
import { awsErrorName, explainEcrError } from './errors.ts';
import type { RepositoryTarget } from './errors.ts';
import type { Inputs, RepositoryLocation, SourceImage } from './inputs.ts';
import { isSchema1, manifestDigest, manifestMediaType } from './manifest.ts';
import { batchGetImage, describeRepository, isTagImmutable, putImage, readTags } from './registry.ts';
import type { Side, TagState } from './registry.ts';

export interface Deps {
  /** Client for the source repository's region. */
  sourceEcr: ECRClient;
  /** Client for the target repository's region; the same object when the regions match. */
  targetEcr: ECRClient;
  logger: Logger;
  /** Downloads blobs from GetDownloadUrlForLayer URLs. */
  fetch: Fetcher;
}

/** The source image as resolved once: its exact manifest, media type and digest. */
export interface ResolvedImage {
  manifest: string;
  mediaType: string;
  digest: string;
  /** Account of the source registry, as BatchGetImage reported it. */
  registryId?: string;
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
  /** `registry/repository@sha256:…` in the target repository, the reference a deployment should use. */
  imageUri: string;
  mediaType: string;
  tags: TagResult[];
  /** False when source and target are the same repository and no image data moved. */
  copied: boolean;
  manifestsCopied: number;
  blobsCopied: number;
  bytesCopied: number;
}

/** A tag change that PutImage made or tried, with the PutImage error if it threw. */
interface TagChange extends TagResult {
  putError?: unknown;
}

export async function run(inputs: Inputs, deps: Deps): Promise<Result> {
  const source: Side = { ecr: deps.sourceEcr, target: repositoryTarget(inputs.source, 'source') };

  const image = await deps.logger.group('Resolve the source image', () => resolveSource(inputs.source, source, inputs.expectedDigest, deps.logger));

  const target = targetSide(inputs.target, image, deps);
  const sameRepository = isSameRepository(source.target, target.target, image);

  const current = await deps.logger.group('Read the target tags', () => readAndPlanTags(inputs, target, image, deps.logger));

  let copy: CopyResult = { manifestsCopied: 0, blobsCopied: 0, bytesCopied: 0 };
  if (!sameRepository) {
    copy = await deps.logger.group(`Copy the image into ${target.target.repositoryName}`, () =>
      copyImage(image, source, target, { concurrency: inputs.concurrency, logger: deps.logger, fetch: deps.fetch }),
    );
  }

  const changes = await deps.logger.group('Move the tags', () => applyTags(inputs.tags, current, image, target, deps.logger));

  await deps.logger.group('Verify the tags', () => verifyTags(changes, image, target, deps.logger));

  return {
    digest: image.digest,
    imageUri: `${registryHost(target.target, image)}/${target.target.repositoryName}@${image.digest}`,
    mediaType: image.mediaType,
    tags: changes.map(({ tag, result, previousDigest }) => (previousDigest ? { tag, result, previousDigest } : { tag, result })),
    copied: !sameRepository,
    ...copy,
  };
}

function repositoryTarget(location: RepositoryLocation, side: 'source' | 'target'): RepositoryTarget {
  const target: RepositoryTarget = { repositoryName: location.repository, region: location.region, side };
  if (location.registryId) target.registryId = location.registryId;
  return target;
}

function targetSide(location: RepositoryLocation, image: ResolvedImage, deps: Deps): Side {
  const target = repositoryTarget(location, 'target');
  // A target named without an account is in the source's account.
  if (!target.registryId && image.registryId) target.registryId = image.registryId;
  return { ecr: deps.targetEcr, target };
}

function isSameRepository(source: RepositoryTarget, target: RepositoryTarget, image: ResolvedImage): boolean {
  const sourceRegistry = source.registryId ?? image.registryId;
  return sourceRegistry === target.registryId && source.region === target.region && source.repositoryName === target.repositoryName;
}

function registryHost(target: RepositoryTarget, image: ResolvedImage): string {
  const account = target.registryId ?? image.registryId ?? 'unknown-account';
  return `${account}.dkr.ecr.${target.region}.amazonaws.com`;
}

/**
 * Reads the source manifest once, with every media type accepted, and checks that its bytes
 * hash to the digest ECR reports, to the digest in the source, and to expected-digest.
 */
async function resolveSource(source: SourceImage, side: Side, expectedDigest: string | undefined, logger: Logger): Promise<ResolvedImage> {
  const imageId = source.digest ? { imageDigest: source.digest } : { imageTag: source.tag as string };
  const subject = source.digest ? `image ${source.digest}` : `tag "${source.tag}"`;
  const named = subject.charAt(0).toUpperCase() + subject.slice(1);
  const where = `repository "${side.target.repositoryName}" (registry ${side.target.registryId ?? 'of the caller'}, ${side.target.region})`;
  if (source.digest && source.tag) logger.info(`The source names both tag "${source.tag}" and a digest; the digest decides.`);

  const { images, failures } = await batchGetImage(side, [imageId]);
  const found = images[0];
  if (!found) {
    const failure = failures[0];
    if (failure === undefined || failure.failureCode === 'ImageNotFound') {
      throw new ActionError(`${named} not found in ${where}. Check "source": push the image first, or fix the tag or digest.`);
    }
    throw new ActionError(`BatchGetImage could not read ${subject} from ${where}: ${failure.failureCode}: ${failure.failureReason ?? 'no reason given'}.`);
  }

  const manifest = found.imageManifest;
  if (manifest === undefined) throw new ActionError(`ECR returned no manifest for ${subject} in ${where}.`);
  const reportedDigest = found.imageId?.imageDigest;
  const mediaType = manifestMediaType(manifest, found.imageManifestMediaType);

  if (isSchema1(manifest, mediaType)) {
    throw new ActionError(
      `${named} in ${where} is a Docker image manifest schema 1, which cannot be promoted by digest. ` +
        'Push the image again with a current Docker or BuildKit, which writes schema 2 or OCI manifests.',
    );
  }
  if (mediaType === undefined) {
    throw new ActionError(`${named} in ${where} has no media type, neither from ECR nor in the manifest, so PutImage cannot be called safely.`);
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
  if (expectedDigest && expectedDigest !== digest) {
    throw new ActionError(
      `${named} names ${digest}, not the expected-digest ${expectedDigest}. The tag was moved after the image was tested; nothing was tagged. ` +
        'Promote by digest, or test the image the tag names now.',
    );
  }

  logger.info(`${named}: ${digest} (${mediaType}, ${Buffer.byteLength(manifest, 'utf8')} bytes).`);
  const resolved: ResolvedImage = { manifest, mediaType, digest };
  const registryId = found.registryId ?? side.target.registryId;
  if (registryId) resolved.registryId = registryId;
  return resolved;
}

/**
 * Reads every target tag once and fails before any write when a tag names another digest and
 * may not move: a mutable tag without allow-overwrite, or a tag the repository keeps immutable.
 * DescribeRepositories is called only when some tag names another digest.
 */
async function readAndPlanTags(inputs: Inputs, target: Side, image: ResolvedImage, logger: Logger): Promise<Map<string, TagState>> {
  const states = await readTags(target, inputs.tags);
  for (const [tag, state] of states) logger.info(`Tag "${tag}": ${state.digest ?? 'does not exist'}`);

  const conflicts = [...states].filter(([, state]) => state.digest !== undefined && state.digest !== image.digest);
  if (conflicts.length === 0) return states;

  const repository: Repository = await describeRepository(target);
  const problems: string[] = [];
  for (const [tag, state] of conflicts) {
    if (isTagImmutable(repository, tag)) {
      problems.push(
        `Tag "${tag}" names ${state.digest} and is immutable in repository "${target.target.repositoryName}" (${repository.imageTagMutability}), so it cannot name ${image.digest}. Use a new tag.`,
      );
    } else if (!inputs.allowOverwrite) {
      problems.push(`Tag "${tag}" names ${state.digest}, not ${image.digest}. Set allow-overwrite: true to move it, or use a new tag.`);
    }
  }
  if (problems.length > 0) throw new ActionError(`${problems.join(' ')} No tag was changed.`);
  return states;
}

/**
 * Points each tag at the image with PutImage unless it already names the digest. When PutImage
 * throws for a reason other than credentials, permissions or a missing repository, the tag is
 * decided in verifyTags by reading it back, because another job may have set it at the same time.
 */
async function applyTags(tags: string[], current: Map<string, TagState>, image: ResolvedImage, target: Side, logger: Logger): Promise<TagChange[]> {
  const changes: TagChange[] = [];
  for (const tag of tags) {
    const previous = current.get(tag)?.digest;
    if (previous === image.digest) {
      logger.info(`Tag "${tag}" already names ${image.digest}: unchanged.`);
      changes.push({ tag, result: 'unchanged' });
      continue;
    }

    const change: TagChange = previous === undefined ? { tag, result: 'created' } : { tag, result: 'moved', previousDigest: previous };
    try {
      await putImage(target, image, tag);
      logger.info(previous === undefined ? `Tag "${tag}" created.` : `Tag "${tag}" moved from ${previous}.`);
    } catch (error) {
      const explained = explainEcrError(error, 'PutImage', target.target);
      if (isAccessDeniedError(error) || isCredentialsError(error) || explained !== error) throw explained;
      logger.info(`PutImage for tag "${tag}" failed (${awsErrorName(error) || 'error'}: ${errorMessage(error)}); the read-back decides.`);
      change.putError = error;
    }
    changes.push(change);
  }
  return changes;
}

/** Reads every tag back and fails unless each names the digest with the same manifest bytes. */
async function verifyTags(changes: TagChange[], image: ResolvedImage, target: Side, logger: Logger): Promise<void> {
  const states = await readTags(
    target,
    changes.map((change) => change.tag),
  );

  const problems: string[] = [];
  for (const change of changes) {
    const state = states.get(change.tag) ?? {};
    if (state.digest === image.digest && state.manifest !== undefined && manifestDigest(state.manifest) === image.digest) {
      logger.info(`Tag "${change.tag}" names ${image.digest}: verified.`);
      continue;
    }
    problems.push(describeVerifyFailure(change, state, image, target.target));
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
    return `${base} Another job set this immutable tag first (ImageTagAlreadyExistsException); use a new tag.`;
  }
  return `${base} PutImage failed: ${awsErrorName(change.putError) || 'error'}: ${errorMessage(change.putError)}`;
}
