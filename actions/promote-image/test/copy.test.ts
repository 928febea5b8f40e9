import { createHash } from 'node:crypto';

import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
} from '@aws-sdk/client-ecr';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { ActionError, MemoryLogger } from '@ecs-deploy-kit/shared';
import { mockClient } from 'aws-sdk-client-mock';

import { copyImage } from '../src/copy.ts';
import type { Download } from '../src/download.ts';
import { manifestDigest } from '../src/manifest.ts';

const MIB = 1024 * 1024;
// Bytes that differ from part to part, so a part sent with another part's bytes is caught.
const LAYER = Buffer.allocUnsafe(11 * MIB + 5);
for (let i = 0; i < LAYER.length; i += 1) LAYER[i] = (i * 7919 + (i >> 20)) % 251;
const CONFIG = Buffer.from('{"architecture":"arm64","os":"linux"}');
const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(CONFIG), size: CONFIG.length },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(LAYER), size: LAYER.length }],
});
const ROOT = { digest: manifestDigest(MANIFEST), manifest: MANIFEST, mediaType: 'application/vnd.oci.image.manifest.v1+json' };

const source = { ecr: new ECRClient({ region: 'ap-south-1' }), target: { repositoryName: 'quiz-backend', registryId: '123456789012', region: 'ap-south-1', side: 'source' as const } };
const target = { ecr: new ECRClient({ region: 'ap-south-1' }), target: { repositoryName: 'quiz-backend-production', registryId: '123456789012', region: 'ap-south-1', side: 'target' as const } };
const sourceMock = mockClient(source.ecr);
const targetMock = mockClient(target.ecr);

/** Serves blobs in 64 KiB chunks, as a download stream would arrive. */
function fetcher(blobs: Map<string, Buffer>) {
  return async (url: string): Promise<Response> => {
    const data = blobs.get(url.slice('http://blobs/'.length));
    if (!data) return new Response('not found', { status: 404 });
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= data.length) return controller.close();
        controller.enqueue(new Uint8Array(data.subarray(offset, offset + 64 * 1024)));
        offset += 64 * 1024;
      },
    });
    return new Response(body);
  };
}

beforeEach(() => {
  sourceMock.reset();
  targetMock.reset();
  sourceMock.on(GetDownloadUrlForLayerCommand).callsFake((input: { layerDigest: string }) => ({ downloadUrl: `http://blobs/${input.layerDigest}`, layerDigest: input.layerDigest }));
  targetMock.on(BatchGetImageCommand).resolves({ images: [], failures: [{ imageId: { imageDigest: ROOT.digest }, failureCode: 'ImageNotFound' }] });
  targetMock.on(BatchCheckLayerAvailabilityCommand).callsFake((input: { layerDigests: string[] }) => ({
    layers: input.layerDigests.map((layerDigest) => ({ layerDigest, layerAvailability: 'UNAVAILABLE' })),
  }));
  targetMock.on(InitiateLayerUploadCommand).callsFake(() => ({ uploadId: `upload-${targetMock.commandCalls(InitiateLayerUploadCommand).length}`, partSize: 20_971_520 }));
  targetMock.on(UploadLayerPartCommand).resolves({});
  targetMock.on(CompleteLayerUploadCommand).resolves({});
  targetMock.on(PutImageCommand).resolves({});
});

describe('copyImage', () => {
  it('uploads 5 MiB parts in order', async () => {
    const blobs = new Map([
      [sha256(CONFIG), CONFIG],
      [sha256(LAYER), LAYER],
    ]);

    const result = await copyImage(ROOT, source, target, { concurrency: 4, logger: new MemoryLogger(), fetch: fetcher(blobs) });

    expect(result).toEqual({ manifestsCopied: 1, blobsCopied: 2, bytesCopied: LAYER.length + CONFIG.length });
    const layerUpload = targetMock.commandCalls(CompleteLayerUploadCommand).find((call) => call.args[0].input.layerDigests?.[0] === sha256(LAYER));
    const uploadId = layerUpload?.args[0].input.uploadId;
    const parts = targetMock
      .commandCalls(UploadLayerPartCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.uploadId === uploadId)
      .map((input) => [input.partFirstByte, input.partLastByte, input.layerPartBlob?.length]);
    expect(parts).toEqual([
      [0, 5 * MIB - 1, 5 * MIB],
      [5 * MIB, 10 * MIB - 1, 5 * MIB],
      [10 * MIB, LAYER.length - 1, LAYER.length - 10 * MIB],
    ]);
    expect(targetMock.commandCalls(PutImageCommand)[0]?.args[0].input).toEqual({
      registryId: '123456789012',
      repositoryName: 'quiz-backend-production',
      imageManifest: MANIFEST,
      imageManifestMediaType: ROOT.mediaType,
      imageDigest: ROOT.digest,
    });
  });

  it('rejects a blob whose bytes differ', async () => {
    const corrupt = Buffer.from(LAYER);
    corrupt[6 * MIB] = (LAYER[6 * MIB] ?? 0) ^ 1;
    const blobs = new Map([
      [sha256(CONFIG), CONFIG],
      [sha256(LAYER), corrupt],
    ]);

    const promise = copyImage(ROOT, source, target, { concurrency: 1, logger: new MemoryLogger(), fetch: fetcher(blobs) });

    await expect(promise).rejects.toThrow(ActionError);
    await expect(promise).rejects.toThrow(`Blob ${sha256(LAYER)} downloaded as ${LAYER.length} bytes with digest ${sha256(corrupt)}`);
    const completed = targetMock.commandCalls(CompleteLayerUploadCommand).map((call) => call.args[0].input.layerDigests?.[0]);
    expect(completed).not.toContain(sha256(LAYER));
    expect(targetMock.commandCalls(PutImageCommand)).toHaveLength(0);
  });

  it('skips blobs the target has', async () => {
    targetMock.on(BatchCheckLayerAvailabilityCommand).callsFake((input: { layerDigests: string[] }) => ({
      layers: input.layerDigests.map((layerDigest) => ({ layerDigest, layerAvailability: 'AVAILABLE' })),
    }));

    const result = await copyImage(ROOT, source, target, { concurrency: 4, logger: new MemoryLogger(), fetch: fetcher(new Map()) });

    expect(result).toEqual({ manifestsCopied: 1, blobsCopied: 0, bytesCopied: 0 });
    expect(targetMock.commandCalls(InitiateLayerUploadCommand)).toHaveLength(0);
    expect(sourceMock.commandCalls(GetDownloadUrlForLayerCommand)).toHaveLength(0);
  });

  it('sends unchanged parts while the next fills', async () => {
    const blobs = new Map([
      [sha256(CONFIG), CONFIG],
      [sha256(LAYER), LAYER],
    ]);
    const sending = new Map<string, number>();
    let maxAtOnce = 0;
    let maxPerBlob = 0;
    const received: { uploadId: string; first: number; bytes: Buffer }[] = [];
    targetMock.on(UploadLayerPartCommand).callsFake(async (input: { uploadId: string; partFirstByte: number; layerPartBlob: Uint8Array }) => {
      const before = Buffer.from(input.layerPartBlob);
      sending.set(input.uploadId, (sending.get(input.uploadId) ?? 0) + 1);
      maxPerBlob = Math.max(maxPerBlob, sending.get(input.uploadId)!);
      maxAtOnce = Math.max(maxAtOnce, [...sending.values()].reduce((a, b) => a + b, 0));
      await new Promise((resolve) => setTimeout(resolve, 20));
      // The part must not change while it is being sent, whatever the copy reads meanwhile.
      expect(Buffer.from(input.layerPartBlob).equals(before)).toBe(true);
      sending.set(input.uploadId, sending.get(input.uploadId)! - 1);
      received.push({ uploadId: input.uploadId, first: input.partFirstByte, bytes: before });
      return {};
    });

    await copyImage(ROOT, source, target, { concurrency: 4, logger: new MemoryLogger(), fetch: fetcher(blobs) });

    const layerUploadId = targetMock.commandCalls(CompleteLayerUploadCommand).find((call) => call.args[0].input.layerDigests?.[0] === sha256(LAYER))?.args[0].input.uploadId;
    const layerParts = received.filter((part) => part.uploadId === layerUploadId);
    expect(layerParts.map((part) => part.first)).toEqual([0, 5 * MIB, 10 * MIB]);
    expect(Buffer.concat(layerParts.map((part) => part.bytes)).equals(LAYER)).toBe(true);
    expect(maxPerBlob).toBe(1);
    expect(maxAtOnce).toBeLessThanOrEqual(2);
  });

  it('fails cleanly when a part fails', async () => {
    const blobs = new Map([
      [sha256(CONFIG), CONFIG],
      [sha256(LAYER), LAYER],
    ]);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    targetMock.on(UploadLayerPartCommand).callsFake(async (input: { partFirstByte: number }) => {
      if (input.partFirstByte === 5 * MIB) throw Object.assign(new Error('User is not authorized to perform: ecr:UploadLayerPart'), { name: 'AccessDeniedException' });
      return {};
    });

    try {
      const promise = copyImage(ROOT, source, target, { concurrency: 1, logger: new MemoryLogger(), fetch: fetcher(blobs) });
      await expect(promise).rejects.toThrow(/UploadLayerPart/);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }

    expect(unhandled).toEqual([]);
    const completed = targetMock.commandCalls(CompleteLayerUploadCommand).map((call) => call.args[0].input.layerDigests?.[0]);
    expect(completed).not.toContain(sha256(LAYER));
    expect(targetMock.commandCalls(PutImageCommand)).toHaveLength(0);
  });

  it('settles the sending part on download failure', async () => {
    let inProgress = 0;
    let finished = 0;
    targetMock.on(UploadLayerPartCommand).callsFake(async () => {
      inProgress += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
      inProgress -= 1;
      finished += 1;
      return {};
    });
    const broken = async (): Promise<Download> => ({
      ok: true,
      status: 200,
      body: (async function* () {
        yield LAYER.subarray(0, 6 * MIB);
        throw new Error('socket hang up');
      })(),
    });

    const promise = copyImage(ROOT, source, target, { concurrency: 1, logger: new MemoryLogger(), fetch: broken });

    await expect(promise).rejects.toThrow('socket hang up');
    expect(inProgress).toBe(0);
    expect(finished).toBe(1);
    expect(targetMock.commandCalls(CompleteLayerUploadCommand)).toHaveLength(0);
  });
});
