import { BatchGetImageCommand, GetDownloadUrlForLayerCommand } from '@aws-sdk/client-ecr';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { ActionError, errorMessage, explainAwsError, parseImageReference } from '@ecs-deploy-kit/shared';
import type { Logger } from '@ecs-deploy-kit/shared';

import type { TaskDefinitionDocument } from './render.ts';

export interface ArchitectureDeps {
  /** Returns an ECR client for the image's region. */
  ecr: (region: string) => ECRClient;
  /** Downloads a small text document (an image config) from a pre-signed URL. */
  fetchText: (url: string) => Promise<string>;
  logger: Logger;
}

/** Outcome of one image's check, for the summary. */
export interface ArchitectureCheck {
  image: string;
  /** Architectures the image provides, in OCI terms (amd64, arm64). Empty when unknown. */
  architectures: string[];
  status: 'match' | 'not-checked';
}

// The ECR API reference for BatchGetImage lists only the three image manifest types as
// acceptedMediaTypes. The index and manifest list types are added so that an index comes back as
// pushed. NOTE: checked against the local emulator only, not against ECR itself.
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.v1+json',
];
const INDEX_MEDIA_TYPES = new Set([MANIFEST_MEDIA_TYPES[0], MANIFEST_MEDIA_TYPES[2]]);

// ECS runtimePlatform.cpuArchitecture to the OCI platform architecture.
const OCI_ARCHITECTURE: Record<string, string> = { X86_64: 'amd64', ARM64: 'arm64' };

interface Platform {
  architecture?: string;
  os?: string;
}

interface Manifest {
  mediaType?: string;
  manifests?: { platform?: Platform }[];
  config?: { digest?: string };
  architecture?: string;
}

/** Returns the task's runtimePlatform.cpuArchitecture, or X86_64 when the task definition sets none. */
export function taskArchitecture(taskDefinition: TaskDefinitionDocument): string {
  const platform = taskDefinition.runtimePlatform as { cpuArchitecture?: unknown } | undefined;
  return typeof platform?.cpuArchitecture === 'string' ? platform.cpuArchitecture : 'X86_64';
}

/**
 * Checks that an ECR image provides the task's CPU architecture: the manifest's own platform,
 * or any platform of an image index. Attestation entries (platform unknown/unknown) never
 * count. Throws before anything is deployed when none matches, since such a task starts and
 * dies with "exec format error". Returns 'not-checked' for an image outside ECR.
 */
export async function checkImageArchitecture(image: string, cpuArchitecture: string, deps: ArchitectureDeps): Promise<ArchitectureCheck> {
  const reference = parseImageReference('image', image);
  if (reference.ecr === undefined) {
    deps.logger.info(`Image ${image} is not in ECR, so its architecture was not checked.`);
    return { image, architectures: [], status: 'not-checked' };
  }
  const expected = OCI_ARCHITECTURE[cpuArchitecture] ?? cpuArchitecture.toLowerCase();
  const ecr = deps.ecr(reference.ecr.region);
  const location = { registryId: reference.ecr.accountId, repositoryName: reference.repository };

  const manifest = await getManifest(ecr, image, location, reference.digest ? { imageDigest: reference.digest } : { imageTag: reference.tag ?? 'latest' }, reference.ecr.region);
  const architectures = INDEX_MEDIA_TYPES.has(manifest.mediaType) ? indexArchitectures(manifest.document) : await manifestArchitecture(ecr, location, manifest.document, image, deps);

  if (architectures === undefined) return { image, architectures: [], status: 'not-checked' };
  if (!architectures.includes(expected)) {
    const provided = architectures.length > 0 ? architectures.join(', ') : 'no platform';
    throw new ActionError(
      `Image ${image} provides ${provided}, but the task's runtimePlatform.cpuArchitecture is ${cpuArchitecture} (${expected}): its containers would exit with "exec format error". ` +
        `Build the image for linux/${expected} (docker buildx build --platform linux/${expected}), or change runtimePlatform.cpuArchitecture.`,
    );
  }
  deps.logger.info(`Image ${image} provides ${architectures.join(', ')}, which includes the task's ${cpuArchitecture}.`);
  return { image, architectures, status: 'match' };
}

async function getManifest(
  ecr: ECRClient,
  image: string,
  location: { registryId: string; repositoryName: string },
  imageId: { imageTag: string } | { imageDigest: string },
  region: string,
): Promise<{ mediaType: string; document: Manifest }> {
  let response;
  try {
    response = await ecr.send(new BatchGetImageCommand({ ...location, imageIds: [imageId], acceptedMediaTypes: MANIFEST_MEDIA_TYPES }));
  } catch (error) {
    throw explainAwsError(error, 'BatchGetImage');
  }

  const found = response.images?.[0];
  if (found?.imageManifest === undefined) {
    const failure = response.failures?.[0];
    const reason = failure ? `${failure.failureCode}: ${failure.failureReason}` : 'no image returned';
    throw new ActionError(`Image ${image} not found in ECR repository ${location.repositoryName} (${location.registryId}, ${region}): ${reason}. Push the image first, or check its tag.`);
  }
  const document = JSON.parse(found.imageManifest) as Manifest;
  return { mediaType: found.imageManifestMediaType ?? document.mediaType ?? '', document };
}

/** Returns the architectures of an index's entries, without attestation entries (unknown/unknown). */
function indexArchitectures(index: Manifest): string[] {
  const architectures = (index.manifests ?? [])
    .map((entry) => entry.platform)
    .filter((platform): platform is Platform => platform !== undefined && platform.architecture !== 'unknown' && platform.os !== 'unknown')
    .map((platform) => String(platform.architecture));
  return [...new Set(architectures)];
}

/**
 * Reads the architecture of a single-platform manifest from its config blob. Returns undefined
 * (and warns) when the config cannot be read, because the check is then unknown rather than failed.
 */
async function manifestArchitecture(
  ecr: ECRClient,
  location: { registryId: string; repositoryName: string },
  manifest: Manifest,
  image: string,
  deps: ArchitectureDeps,
): Promise<string[] | undefined> {
  if (typeof manifest.architecture === 'string') return [manifest.architecture];
  const digest = manifest.config?.digest;
  try {
    if (digest === undefined) throw new Error('the manifest names no config blob');
    const download = await ecr.send(new GetDownloadUrlForLayerCommand({ ...location, layerDigest: digest }));
    if (!download.downloadUrl) throw new Error('GetDownloadUrlForLayer returned no URL');
    const config = JSON.parse(await deps.fetchText(download.downloadUrl)) as Platform;
    return config.architecture === undefined ? [] : [config.architecture];
  } catch (error) {
    deps.logger.warning(
      `Could not read the architecture of image ${image} from its config blob (${errorMessage(error)}), so the architecture was not checked. Set "check-architecture: false" to skip this check.`,
    );
    return undefined;
  }
}
