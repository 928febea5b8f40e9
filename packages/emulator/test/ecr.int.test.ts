import { createHash } from 'node:crypto';

import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { startEmulator, type Emulator } from '../src/index.ts';

const MIB = 1024 * 1024;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

let emulator: Emulator;
let ecr: ECRClient;

beforeAll(async () => {
  emulator = await startEmulator();
  ecr = new ECRClient({ endpoint: emulator.endpoint, region: emulator.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(async () => {
  ecr?.destroy();
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
});

/** Copies one blob from quiz-backend to quiz-backend-production through the layer APIs, in 5 MiB parts. */
async function copyBlob(digest: string): Promise<number> {
  const { downloadUrl } = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'quiz-backend', layerDigest: digest }));
  expect(downloadUrl?.startsWith('http://127.0.0.1:')).toBe(true);
  const data = new Uint8Array(await (await fetch(downloadUrl!)).arrayBuffer());
  expect(sha256(data)).toBe(digest);

  const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'quiz-backend-production' }));
  for (let first = 0; first < data.length; first += 5 * MIB) {
    const part = data.subarray(first, first + 5 * MIB);
    await ecr.send(
      new UploadLayerPartCommand({ repositoryName: 'quiz-backend-production', uploadId, partFirstByte: first, partLastByte: first + part.length - 1, layerPartBlob: part }),
    );
  }
  const done = await ecr.send(new CompleteLayerUploadCommand({ repositoryName: 'quiz-backend-production', uploadId, layerDigests: [digest] }));
  expect(done.layerDigest).toBe(digest);
  return data.length;
}

describe('ECR layer APIs', () => {
  it('copies an image between repositories', async () => {
    const seeded = await emulator.seedImage({ repository: 'quiz-backend', tag: 'v1', shape: 'single', seed: 'copy', layerSizes: [11 * MIB] });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'quiz-backend-production' }));
    const manifest = JSON.parse(seeded.manifest) as { config: { digest: string }; layers: { digest: string }[] };
    const digests = [manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)];

    const put = () =>
      ecr.send(new PutImageCommand({ repositoryName: 'quiz-backend-production', imageManifest: seeded.manifest, imageManifestMediaType: OCI_MANIFEST, imageTag: 'v1' }));
    await expect(put()).rejects.toMatchObject({ name: 'LayersNotFoundException' });

    const sizes = [];
    for (const digest of digests) sizes.push(await copyBlob(digest));
    expect(sizes[1]).toBe(11 * MIB);
    const availability = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: 'quiz-backend-production', layerDigests: digests }));
    expect(availability.layers?.map((layer) => layer.layerAvailability)).toEqual(['AVAILABLE', 'AVAILABLE']);

    const stored = await put();
    expect(stored.image?.imageId?.imageDigest).toBe(seeded.digest);
    const got = await ecr.send(new BatchGetImageCommand({ repositoryName: 'quiz-backend-production', imageIds: [{ imageTag: 'v1' }], acceptedMediaTypes: [OCI_MANIFEST] }));
    expect(got.images?.[0]?.imageManifest).toBe(seeded.manifest);
  });

  it('seeds an immutable repository in another account', async () => {
    const seeded = await emulator.seedImage({ repository: 'quiz-backend', tag: 'v1', shape: 'single', seed: 'a', tagMutability: 'IMMUTABLE', accountId: '210987654321' });
    const other = await emulator.seedImage({ repository: 'quiz-backend', shape: 'single', seed: 'b', accountId: '210987654321' });

    const move = ecr.send(
      new PutImageCommand({ registryId: '210987654321', repositoryName: 'quiz-backend', imageManifest: other.manifest, imageManifestMediaType: OCI_MANIFEST, imageTag: 'v1' }),
    );

    await expect(move).rejects.toMatchObject({ name: 'ImageTagAlreadyExistsException' });
    expect(seeded.imageUri).toBe(`210987654321.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend@${seeded.digest}`);
  });
});
