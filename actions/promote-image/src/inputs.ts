import { InputError, parseImageReference, parseList } from '@ecs-deploy-kit/shared';
import type { ImageReference, InputReader } from '@ecs-deploy-kit/shared';

/** The source image in an ECR registry, named by tag or digest. */
export interface SourceImage extends ImageReference {
  registry: string;
  ecr: { accountId: string; region: string };
}

export interface Inputs {
  source: SourceImage;
  /** Tags to point at the source digest, in the source repository, without duplicates. */
  tags: string[];
}

// Docker's tag grammar: up to 128 characters, not starting with "." or "-".
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function readInputs(read: InputReader): Inputs {
  return { source: parseSource('source', read('source')), tags: parseTags('tags', read('tags')) };
}

function parseSource(name: string, raw: string): SourceImage {
  if (raw.trim() === '') {
    throw new InputError(name, 'is required but was empty. Give an ECR image such as 123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend:sha-1a2b3c4.');
  }
  const reference = parseImageReference(name, raw);
  const value = raw.trim();

  if (reference.registry === undefined || reference.ecr === undefined) {
    throw new InputError(
      name,
      `"${value}" is not in an ECR registry. Give the full URI, ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG or …@sha256:DIGEST, because the account and region are read from it.`,
    );
  }
  if (reference.tag === undefined && reference.digest === undefined) {
    throw new InputError(name, `"${value}" names neither a tag nor a digest. Add :TAG or @sha256:DIGEST so the promoted image is the one that was tested.`);
  }
  return { ...reference, registry: reference.registry, ecr: reference.ecr };
}

function parseTags(name: string, raw: string): string[] {
  const tags = parseList(raw);
  if (tags.length === 0) throw new InputError(name, 'is required but was empty. Give one or more tags, one per line or comma-separated, e.g. v1.2.3, release.');

  for (const tag of tags) {
    if (tag.includes(':') || tag.includes('/') || tag.includes('@')) {
      throw new InputError(name, `"${tag}" is an image reference, not a tag. Give the tag alone (e.g. release); tags are set in the source repository.`);
    }
    if (!TAG.test(tag)) {
      throw new InputError(name, `"${tag}" is not a valid tag. A tag has 1 to 128 letters, digits, _, . or -, and does not start with . or -.`);
    }
  }
  return [...new Set(tags)];
}
