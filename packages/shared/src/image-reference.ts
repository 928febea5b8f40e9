import { InputError } from './errors.ts';

/** A container image reference: `registry/repository:tag` or `registry/repository@sha256:…`. */
export interface ImageReference {
  /** Registry host, e.g. `123456789012.dkr.ecr.ap-south-1.amazonaws.com`; undefined for a bare name. */
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** Account and region when the registry is an ECR registry. */
  ecr?: { accountId: string; region: string };
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const REPOSITORY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
// ECR registry hosts: ACCOUNT.dkr.ecr.REGION.amazonaws.com (and .com.cn in China regions).
const ECR_REGISTRY = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

export function parseImageReference(name: string, raw: string): ImageReference {
  const value = raw.trim();
  const fail = (why: string): never => {
    throw new InputError(name, `"${value}" is not an image reference: ${why}. Expected registry/repository:tag or registry/repository@sha256:<64 hex digits>.`);
  };
  if (value === '') fail('it is empty');

  let rest = value;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) fail(`the digest "${digest}" is not sha256: followed by 64 lowercase hex digits`);
  }

  let registry: string | undefined;
  const slash = rest.indexOf('/');
  const firstPart = slash >= 0 ? rest.slice(0, slash) : '';
  // Docker's rule: the first path part is a registry host when it has a dot or a port, or is localhost.
  if (slash >= 0 && (firstPart.includes('.') || firstPart.includes(':') || firstPart === 'localhost')) {
    registry = firstPart;
    rest = rest.slice(slash + 1);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail(`the tag "${tag}" has characters a tag cannot have`);
  }
  if (!REPOSITORY.test(rest)) fail(`the repository "${rest}" is not a valid repository name (lowercase letters, digits, . _ - and /)`);

  const reference: ImageReference = { repository: rest };
  if (registry !== undefined) reference.registry = registry;
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  const ecr = registry === undefined ? undefined : ECR_REGISTRY.exec(registry);
  if (ecr) reference.ecr = { accountId: ecr[1] as string, region: ecr[2] as string };
  return reference;
}

export function formatImageReference(reference: ImageReference): string {
  const prefix = reference.registry ? `${reference.registry}/` : '';
  if (reference.digest) return `${prefix}${reference.repository}@${reference.digest}`;
  return `${prefix}${reference.repository}:${reference.tag ?? 'latest'}`;
}
