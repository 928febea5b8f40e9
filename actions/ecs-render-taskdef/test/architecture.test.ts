import { BatchGetImageCommand, ECRClient, GetDownloadUrlForLayerCommand } from '@aws-sdk/client-ecr';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { MemoryLogger } from '@ecs-deploy-kit/shared';
import { mockClient } from 'aws-sdk-client-mock';

import { MANIFEST_MEDIA_TYPES, checkImageArchitecture, taskArchitecture } from '../src/architecture.ts';
import type { ArchitectureDeps } from '../src/architecture.ts';

const IMAGE = '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:1.4.2';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const CONFIG_DIGEST = `sha256:${'c'.repeat(64)}`;

const ecrMock = mockClient(ECRClient);
let logger: MemoryLogger;
let fetched: string[];
let regions: string[];

function deps(config = '{"architecture": "amd64", "os": "linux"}'): ArchitectureDeps {
  return {
    ecr: (region) => {
      regions.push(region);
      return new ECRClient({ region });
    },
    fetchText: (url) => {
      fetched.push(url);
      return Promise.resolve(config);
    },
    logger,
  };
}

function index(platforms: { architecture: string; os: string }[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: platforms.map((platform, position) => ({ mediaType: OCI_MANIFEST, digest: `sha256:${String(position).repeat(64)}`, size: 500, platform })),
  });
}

function mockManifest(manifest: string, mediaType: string): void {
  ecrMock.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: manifest, imageManifestMediaType: mediaType }], failures: [] });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

beforeEach(() => {
  ecrMock.reset();
  logger = new MemoryLogger();
  fetched = [];
  regions = [];
});

describe('checkImageArchitecture', () => {
  it('asks ECR for every manifest media type', async () => {
    mockManifest(index([{ architecture: 'arm64', os: 'linux' }]), OCI_INDEX);

    await checkImageArchitecture(IMAGE, 'ARM64', deps());

    expect(regions).toEqual(['ap-south-1']);
    expect(ecrMock.commandCalls(BatchGetImageCommand)[0]?.args[0].input).toEqual({
      registryId: '123456789012',
      repositoryName: 'quiz-backend-testing',
      imageIds: [{ imageTag: '1.4.2' }],
      acceptedMediaTypes: MANIFEST_MEDIA_TYPES,
    });
  });

  it('resolves a digest reference by digest', async () => {
    mockManifest(index([{ architecture: 'arm64', os: 'linux' }]), OCI_INDEX);
    const digest = `sha256:${'a'.repeat(64)}`;

    await checkImageArchitecture(`123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing@${digest}`, 'ARM64', deps());

    expect(ecrMock.commandCalls(BatchGetImageCommand)[0]?.args[0].input.imageIds).toEqual([{ imageDigest: digest }]);
  });

  it('accepts an index with the task architecture', async () => {
    mockManifest(index([{ architecture: 'amd64', os: 'linux' }, { architecture: 'arm64', os: 'linux' }]), OCI_INDEX);

    const check = await checkImageArchitecture(IMAGE, 'ARM64', deps());

    expect(check).toEqual({ image: IMAGE, architectures: ['amd64', 'arm64'], status: 'match' });
    expect(logger.text()).toContain(`Image ${IMAGE} provides amd64, arm64, which includes the task's ARM64.`);
  });

  it('rejects an amd64 index for an ARM64 task', async () => {
    mockManifest(index([{ architecture: 'amd64', os: 'linux' }]), OCI_INDEX);

    const error = await failure(checkImageArchitecture(IMAGE, 'ARM64', deps()));

    expect(error.message).toBe(
      `Image ${IMAGE} provides amd64, but the task's runtimePlatform.cpuArchitecture is ARM64 (arm64): its containers would exit with "exec format error". ` +
        'Build the image for linux/arm64 (docker buildx build --platform linux/arm64), or change runtimePlatform.cpuArchitecture.',
    );
  });

  it('never counts an attestation entry as a platform', async () => {
    mockManifest(index([{ architecture: 'amd64', os: 'linux' }, { architecture: 'unknown', os: 'unknown' }]), OCI_INDEX);

    const error = await failure(checkImageArchitecture(IMAGE, 'ARM64', deps()));

    expect(error.message).toContain(`Image ${IMAGE} provides amd64, but`);
  });

  it('reads a Docker manifest list', async () => {
    mockManifest(index([{ architecture: 'arm64', os: 'linux' }]).replace(OCI_INDEX, 'application/vnd.docker.distribution.manifest.list.v2+json'), 'application/vnd.docker.distribution.manifest.list.v2+json');

    expect((await checkImageArchitecture(IMAGE, 'ARM64', deps())).status).toBe('match');
  });

  it('reads a single manifest architecture from its config', async () => {
    mockManifest(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { digest: CONFIG_DIGEST }, layers: [] }), OCI_MANIFEST);
    ecrMock.on(GetDownloadUrlForLayerCommand).resolves({ downloadUrl: 'http://127.0.0.1:9/config', layerDigest: CONFIG_DIGEST });

    const error = await failure(checkImageArchitecture(IMAGE, 'ARM64', deps()));

    expect(ecrMock.commandCalls(GetDownloadUrlForLayerCommand)[0]?.args[0].input).toEqual({
      registryId: '123456789012',
      repositoryName: 'quiz-backend-testing',
      layerDigest: CONFIG_DIGEST,
    });
    expect(fetched).toEqual(['http://127.0.0.1:9/config']);
    expect(error.message).toContain(`Image ${IMAGE} provides amd64, but the task's runtimePlatform.cpuArchitecture is ARM64`);
  });

  it('warns when the config cannot be read', async () => {
    mockManifest(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { digest: CONFIG_DIGEST }, layers: [] }), OCI_MANIFEST);
    ecrMock.on(GetDownloadUrlForLayerCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));

    const check = await checkImageArchitecture(IMAGE, 'X86_64', deps());

    expect(check.status).toBe('not-checked');
    expect(logger.text()).toContain(`warning: Could not read the architecture of image ${IMAGE} from its config blob (not allowed), so the architecture was not checked.`);
  });

  it('fails when the image is not in the repository', async () => {
    ecrMock.on(BatchGetImageCommand).resolves({ images: [], failures: [{ failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }] });

    const error = await failure(checkImageArchitecture(IMAGE, 'ARM64', deps()));

    expect(error.message).toBe(
      `Image ${IMAGE} not found in ECR repository quiz-backend-testing (123456789012, ap-south-1): ImageNotFound: Requested image not found. Push the image first, or check its tag.`,
    );
  });

  it('explains a denied BatchGetImage', async () => {
    ecrMock.on(BatchGetImageCommand).rejects(Object.assign(new Error('User is not authorized to perform ecr:BatchGetImage'), { name: 'AccessDeniedException', $metadata: {} }));

    const error = await failure(checkImageArchitecture(IMAGE, 'ARM64', deps()));

    expect(error.message).toContain('BatchGetImage was denied');
  });

  it('skips an image outside ECR', async () => {
    const check = await checkImageArchitecture('public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0', 'ARM64', deps());

    expect(check.status).toBe('not-checked');
    expect(ecrMock.calls()).toHaveLength(0);
  });
});

describe('taskArchitecture', () => {
  it('defaults to X86_64', () => {
    expect(taskArchitecture({ family: 'f' })).toBe('X86_64');
    expect(taskArchitecture({ runtimePlatform: { cpuArchitecture: 'ARM64' } })).toBe('ARM64');
  });
});
