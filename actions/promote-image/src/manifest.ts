import { createHash } from 'node:crypto';

export const DOCKER_SCHEMA1_MANIFEST = 'application/vnd.docker.distribution.manifest.v1+json';
const DOCKER_SCHEMA1_SIGNED_MANIFEST = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/**
 * Every manifest media type, sent as BatchGetImage's acceptedMediaTypes so ECR returns the
 * manifest as pushed. A manifest converted to another type has other bytes and another digest,
 * and PutImage with it would create a different image.
 */
export const ACCEPTED_MEDIA_TYPES = [DOCKER_SCHEMA1_MANIFEST, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX];

/** Returns the OCI digest of the manifest: `sha256:` and the hex SHA-256 of its UTF-8 bytes. */
export function manifestDigest(manifest: string): string {
  return `sha256:${createHash('sha256').update(Buffer.from(manifest, 'utf8')).digest('hex')}`;
}

interface ManifestFields {
  schemaVersion?: unknown;
  mediaType?: unknown;
  manifests?: unknown;
  config?: unknown;
}

function parseFields(manifest: string): ManifestFields {
  try {
    const parsed: unknown = JSON.parse(manifest);
    return typeof parsed === 'object' && parsed !== null ? (parsed as ManifestFields) : {};
  } catch {
    return {};
  }
}

/**
 * Returns the manifest's media type: the one ECR reports, else the manifest's own mediaType
 * field, else the OCI type its shape implies (OCI manifests may omit mediaType).
 */
export function manifestMediaType(manifest: string, reported: string | undefined): string | undefined {
  if (reported) return reported;
  const fields = parseFields(manifest);
  if (typeof fields.mediaType === 'string') return fields.mediaType;
  if (fields.schemaVersion === 1) return DOCKER_SCHEMA1_MANIFEST;
  if (Array.isArray(fields.manifests)) return OCI_INDEX;
  if (fields.config !== undefined) return OCI_MANIFEST;
  return undefined;
}

/** Returns true for a Docker image manifest v2 schema 1, by media type or schemaVersion. */
export function isSchema1(manifest: string, mediaType: string | undefined): boolean {
  if (mediaType === DOCKER_SCHEMA1_MANIFEST || mediaType === DOCKER_SCHEMA1_SIGNED_MANIFEST) return true;
  return parseFields(manifest).schemaVersion === 1;
}

/** A content descriptor from a manifest: what it points at, by digest. */
export interface Descriptor {
  digest: string;
  size: number;
  mediaType?: string;
}

/** References of a manifest: child manifests (an index) and blobs (an image's config and layers). */
export interface ManifestReferences {
  children: Descriptor[];
  blobs: Descriptor[];
}

function toDescriptor(value: unknown): Descriptor | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as { digest?: unknown; size?: unknown; mediaType?: unknown };
  if (typeof fields.digest !== 'string') return undefined;
  const descriptor: Descriptor = { digest: fields.digest, size: typeof fields.size === 'number' ? fields.size : 0 };
  if (typeof fields.mediaType === 'string') descriptor.mediaType = fields.mediaType;
  return descriptor;
}

export function manifestReferences(manifest: string): ManifestReferences {
  const fields = parseFields(manifest) as ManifestFields & { layers?: unknown };
  const children = Array.isArray(fields.manifests) ? fields.manifests.map(toDescriptor).filter((d): d is Descriptor => d !== undefined) : [];
  const blobs: Descriptor[] = [];
  const config = toDescriptor(fields.config);
  if (config) blobs.push(config);
  if (Array.isArray(fields.layers)) {
    for (const layer of fields.layers) {
      const descriptor = toDescriptor(layer);
      if (descriptor) blobs.push(descriptor);
    }
  }
  return { children, blobs };
}
