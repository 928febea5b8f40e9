import { InputError, isDigest, parseBoolean, parseImageReference, parseInteger, parseList } from '@ecs-deploy-kit/shared';
import type { InputReader } from '@ecs-deploy-kit/shared';

/** An ECR repository: its registry (account) and region when the input named them. */
export interface RepositoryLocation {
  repository: string;
  /** Account ID of the registry; undefined means the caller's own registry. */
  registryId?: string;
  region: string;
}

/** The source image: a repository and exactly one of a tag or a digest to resolve. */
export interface SourceImage extends RepositoryLocation {
  tag?: string;
  digest?: string;
}

export interface Inputs {
  source: SourceImage;
  target: RepositoryLocation;
  /** Tags to point at the source digest in the target repository, without duplicates. */
  tags: string[];
  /** Whether a mutable tag that names another digest may be moved. */
  allowOverwrite: boolean;
  /** When set, the source must resolve to this digest. */
  expectedDigest?: string;
  /** Blobs copied at once into another repository. */
  concurrency: number;
}

// Docker's tag grammar: up to 128 characters, not starting with "." or "-".
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// ECR's repository name pattern (CreateRepository, repositoryName).
const REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 16;

/** Reads and checks every input; env supplies the region for plain repository names. */
export function readInputs(read: InputReader, env: NodeJS.ProcessEnv): Inputs {
  const defaultRegion = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined;
  const source = parseSource(read('source'), read('source-tag'), read('source-digest'), defaultRegion);
  const target = parseTarget(read('target-repository'), source);
  const expected = read('expected-digest').trim();
  if (expected !== '' && !isDigest(expected)) {
    throw new InputError('expected-digest', `"${expected}" is not a digest. Give sha256: followed by 64 lowercase hex digits, or leave it empty.`);
  }

  const inputs: Inputs = {
    source,
    target,
    tags: parseTags('tags', read('tags')),
    allowOverwrite: parseBoolean('allow-overwrite', read('allow-overwrite'), false),
    concurrency: parseInteger('concurrency', read('concurrency'), DEFAULT_CONCURRENCY, { min: 1, max: MAX_CONCURRENCY }),
  };
  if (expected !== '') inputs.expectedDigest = expected;
  return inputs;
}

function parseSource(raw: string, rawTag: string, rawDigest: string, defaultRegion: string | undefined): SourceImage {
  const value = raw.trim();
  if (value === '') {
    throw new InputError('source', 'is required but was empty. Give an ECR image such as 123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend:sha-1a2b3c4, or a repository name with source-tag or source-digest.');
  }
  const reference = parseImageReference('source', value);
  if (reference.registry !== undefined && reference.ecr === undefined) {
    throw new InputError('source', `"${value}" is not in an ECR registry. Give ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG, …@sha256:DIGEST, or a repository name.`);
  }

  const tag = mergeField('source-tag', rawTag.trim(), reference.tag, value);
  const digest = mergeField('source-digest', rawDigest.trim(), reference.digest, value);
  if (digest !== undefined && !isDigest(digest)) {
    throw new InputError('source-digest', `"${digest}" is not a digest. Give sha256: followed by 64 lowercase hex digits.`);
  }
  if (tag !== undefined && !TAG.test(tag)) {
    throw new InputError('source-tag', `"${tag}" is not a valid tag. A tag has 1 to 128 letters, digits, _, . or -, and does not start with . or -.`);
  }
  if (tag === undefined && digest === undefined) {
    throw new InputError('source', `"${value}" names neither a tag nor a digest. Add :TAG or @sha256:DIGEST, or set source-tag or source-digest, so the promoted image is the one that was tested.`);
  }

  const region = reference.ecr?.region ?? requireRegion('source', value, defaultRegion);
  const source: SourceImage = { repository: reference.repository, region };
  if (reference.ecr) source.registryId = reference.ecr.accountId;
  if (tag !== undefined) source.tag = tag;
  if (digest !== undefined) source.digest = digest;
  return source;
}

/** Returns the value from its own input or from the reference, rejecting two different ones. */
function mergeField(name: string, own: string, fromReference: string | undefined, source: string): string | undefined {
  if (own === '') return fromReference;
  if (fromReference !== undefined && fromReference !== own) {
    throw new InputError(name, `"${own}" differs from "${fromReference}" in source "${source}". Give it in one place only.`);
  }
  return own;
}

function parseTarget(raw: string, source: SourceImage): RepositoryLocation {
  const value = raw.trim();
  if (value === '') {
    const same: RepositoryLocation = { repository: source.repository, region: source.region };
    if (source.registryId) same.registryId = source.registryId;
    return same;
  }

  if (!value.includes('.')) {
    if (!REPOSITORY.test(value)) {
      throw new InputError('target-repository', `"${value}" is not a valid repository name (lowercase letters, digits, . _ - and /), or give a URI ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY.`);
    }
    // A bare name lives in the source's registry and region.
    const named: RepositoryLocation = { repository: value, region: source.region };
    if (source.registryId) named.registryId = source.registryId;
    return named;
  }

  const reference = parseImageReference('target-repository', value);
  if (reference.tag !== undefined || reference.digest !== undefined) {
    throw new InputError('target-repository', `"${value}" includes a tag or digest. Give the repository alone; set the tags in "tags".`);
  }
  if (reference.ecr === undefined) {
    throw new InputError('target-repository', `"${value}" is not in an ECR registry. Give a repository name or ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY.`);
  }
  return { repository: reference.repository, registryId: reference.ecr.accountId, region: reference.ecr.region };
}

function requireRegion(name: string, value: string, defaultRegion: string | undefined): string {
  if (defaultRegion === undefined) {
    throw new InputError(name, `"${value}" names no region and neither AWS_REGION nor AWS_DEFAULT_REGION is set. Give the full URI ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY, or set AWS_REGION.`);
  }
  return defaultRegion;
}

function parseTags(name: string, raw: string): string[] {
  const tags = parseList(raw);
  if (tags.length === 0) throw new InputError(name, 'is required but was empty. Give one or more tags, one per line or comma-separated, e.g. v1.2.3, release.');

  for (const tag of tags) {
    if (tag.includes(':') || tag.includes('/') || tag.includes('@')) {
      throw new InputError(name, `"${tag}" is an image reference, not a tag. Give the tag alone (e.g. release); the repository comes from target-repository.`);
    }
    if (!TAG.test(tag)) {
      throw new InputError(name, `"${tag}" is not a valid tag. A tag has 1 to 128 letters, digits, _, . or -, and does not start with . or -.`);
    }
  }
  return [...new Set(tags)];
}
