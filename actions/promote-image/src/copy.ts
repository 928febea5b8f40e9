import { createHash } from 'node:crypto';

import { CompleteLayerUploadCommand, GetDownloadUrlForLayerCommand, InitiateLayerUploadCommand } from '@aws-sdk/client-ecr';
import { ActionError } from '@ecs-deploy-kit/shared';
import type { Logger } from '@ecs-deploy-kit/shared';

import { awsErrorName, explainEcrError } from './errors.ts';
import type { Download } from './download.ts';
import { bodyCapacity, uploadLayerPartCommand } from './part-body.ts';
import { isSchema1, manifestDigest, manifestMediaType, manifestReferences } from './manifest.ts';
import type { Descriptor } from './manifest.ts';
import { batchGetImage, existingImages, missingBlobs, putImage, repositoryFields, send } from './registry.ts';
import type { Side } from './registry.ts';

// ECR's UploadLayerPart limits (ECR API reference, UploadLayerPart and
// LayerPartTooSmallException): every part but the last has at least 5 MiB, and a part has at
// most 20971520 bytes. Parts of the minimum size keep the memory per blob small.
export const MIN_PART_BYTES = 5 * 1024 * 1024;
// Parts being sent at once, over all blobs. Each uses a body buffer of 4/3 of its size (the
// part in base64), so this bounds memory at any concurrency.
const MAX_PARTS_IN_FLIGHT = 2;

/** A manifest as read from the source, exact bytes with its digest and media type. */
export interface StoredManifest {
  digest: string;
  manifest: string;
  mediaType: string;
}

export interface CopyResult {
  manifestsCopied: number;
  blobsCopied: number;
  bytesCopied: number;
}

/** Opens a blob download URL: download() in the action, a fake in tests. */
export type Fetcher = (url: string) => Promise<Download>;

export interface CopyOptions {
  concurrency: number;
  logger: Logger;
  fetch: Fetcher;
}

/**
 * Copies into the target what it lacks of the image: child manifests of an index (by digest,
 * untagged) and every blob they reference, then the root manifest. Blobs stream from the source
 * download URL into layer-part uploads, so a retry after a failure skips what already arrived.
 * No tag is touched.
 */
export async function copyImage(root: StoredManifest, source: Side, target: Side, options: CopyOptions): Promise<CopyResult> {
  const manifests = await readManifestTree(root, source);
  options.logger.info(`The image has ${manifests.length} manifest(s): the root and ${manifests.length - 1} child manifest(s).`);

  const present = await existingImages(
    target,
    manifests.map((m) => m.digest),
  );
  const missingManifests = manifests.filter((m) => !present.has(m.digest));
  options.logger.info(`${manifests.length - missingManifests.length} already in the target, ${missingManifests.length} to copy.`);

  const blobs = uniqueBlobs(missingManifests);
  const absent = blobs.length === 0 ? new Set<string>() : await missingBlobs(target, blobs.map((b) => b.digest));
  const toCopy = blobs.filter((b) => absent.has(b.digest));
  options.logger.info(`${blobs.length - toCopy.length} of ${blobs.length} blob(s) already in the target; copying ${toCopy.length} with concurrency ${options.concurrency}.`);

  const bytesCopied = await copyBlobs(toCopy, source, target, options);

  // Children first, the root last: ECR accepts an index only when its children are present.
  for (const manifest of [...missingManifests].reverse()) {
    await send(target, 'PutImage', () => putImage(target, manifest));
    options.logger.info(`Manifest ${manifest.digest} (${manifest.mediaType}) copied.`);
  }
  return { manifestsCopied: missingManifests.length, blobsCopied: toCopy.length, bytesCopied };
}

/**
 * Returns the root and every manifest below it, parents before children, reading each level
 * with one BatchGetImage call and checking each manifest's bytes against its digest.
 */
async function readManifestTree(root: StoredManifest, source: Side): Promise<StoredManifest[]> {
  const all: StoredManifest[] = [root];
  const seen = new Set([root.digest]);
  let level = [root];
  while (level.length > 0) {
    const missing = level.flatMap((m) => manifestReferences(m.manifest).children.map((c) => c.digest)).filter((d) => !seen.has(d));
    if (missing.length === 0) break;
    for (const digest of missing) seen.add(digest);

    const { images, failures } = await batchGetImage(
      source,
      missing.map((imageDigest) => ({ imageDigest })),
    );
    if (failures.length > 0) {
      const failure = failures[0];
      throw new ActionError(
        `The source index references manifest ${failure?.imageId?.imageDigest ?? 'unknown'}, which the source repository "${source.target.repositoryName}" does not return (${failure?.failureCode}: ${failure?.failureReason ?? 'no reason given'}).`,
      );
    }
    level = images.map((image) => checkedManifest(image.imageManifest, image.imageManifestMediaType, image.imageId?.imageDigest));
    all.push(...level);
  }
  return all;
}

function checkedManifest(manifest: string | undefined, reportedType: string | undefined, digest: string | undefined): StoredManifest {
  if (manifest === undefined || digest === undefined) throw new ActionError(`ECR returned a child manifest without its bytes or digest (${digest ?? 'no digest'}).`);
  const computed = manifestDigest(manifest);
  if (computed !== digest) throw new ActionError(`Child manifest ${digest} hashes to ${computed}; nothing was copied. Inspect it with aws ecr batch-get-image.`);
  const mediaType = manifestMediaType(manifest, reportedType);
  if (mediaType === undefined || isSchema1(manifest, mediaType)) {
    throw new ActionError(`Child manifest ${digest} has no usable media type (${mediaType ?? 'none'}), so it cannot be copied byte for byte.`);
  }
  return { digest, manifest, mediaType };
}

function uniqueBlobs(manifests: StoredManifest[]): Descriptor[] {
  const blobs = new Map<string, Descriptor>();
  for (const manifest of manifests) {
    for (const blob of manifestReferences(manifest.manifest).blobs) blobs.set(blob.digest, blob);
  }
  return [...blobs.values()];
}

/**
 * At most `limit` buffers of `size` bytes handed out at once. take() waits for one to come back.
 * Returned buffers are reused, so a gigabyte copy does not hand the garbage collector hundreds of
 * large buffers. A caller gives back undefined for a buffer that it must not reuse (the HTTP
 * layer may still hold the body of a failed send), and the next taker gets a new one.
 */
class BufferPool {
  private readonly free: Buffer[] = [];
  private available: number;
  private readonly size: number;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number, size: number) {
    this.available = limit;
    this.size = size;
  }

  async take(): Promise<Buffer> {
    if (this.available > 0) this.available -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  give(buffer: Buffer | undefined): void {
    if (buffer) this.free.push(buffer);
    const next = this.waiting.shift();
    if (next) next();
    else this.available += 1;
  }
}

/** The buffers of one copy: parts being filled or sent, and request bodies being sent. */
interface CopyBuffers {
  parts: BufferPool;
  bodies: BufferPool;
}

async function copyBlobs(blobs: Descriptor[], source: Side, target: Side, options: CopyOptions): Promise<number> {
  const queue = [...blobs];
  const workers = Math.min(options.concurrency, blobs.length);
  const inFlight = Math.min(options.concurrency, MAX_PARTS_IN_FLIGHT);
  // Each worker fills one part while its previous part is sent. Each send waits for a body buffer.
  const buffers: CopyBuffers = { parts: new BufferPool(workers + inFlight, MIN_PART_BYTES), bodies: new BufferPool(inFlight, bodyCapacity(MIN_PART_BYTES)) };
  let bytes = 0;
  const worker = async (): Promise<void> => {
    for (let blob = queue.shift(); blob !== undefined; blob = queue.shift()) {
      const copied = await copyBlob(blob, source, target, buffers, options);
      bytes += copied;
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return bytes;
}

/**
 * Streams one blob: download URL → parts of MIN_PART_BYTES uploaded in order → complete. While
 * one part is sent, the next one fills. Parts are sent one at a time, in order, as ECR requires.
 * The SHA-256 is computed while streaming and must equal the digest before the upload completes.
 */
async function copyBlob(blob: Descriptor, source: Side, target: Side, buffers: CopyBuffers, options: CopyOptions): Promise<number> {
  const { downloadUrl } = await send(source, 'GetDownloadUrlForLayer', () =>
    source.ecr.send(new GetDownloadUrlForLayerCommand({ ...repositoryFields(source.target), layerDigest: blob.digest })),
  );
  if (!downloadUrl) throw new ActionError(`GetDownloadUrlForLayer returned no URL for blob ${blob.digest}.`);
  const response = await options.fetch(downloadUrl);
  if (!response.ok || !response.body) {
    throw new ActionError(`Downloading blob ${blob.digest} from the source failed with HTTP ${response.status}. Run the promotion again; copied blobs are kept.`);
  }

  // NOTE: InitiateLayerUpload also returns a partSize; ECR accepts any part from 5 MiB up to
  // 20971520 bytes, so the smallest allowed size is used whatever partSize it returns.
  const targetFields = repositoryFields(target.target);
  const { uploadId } = await send(target, 'InitiateLayerUpload', () => target.ecr.send(new InitiateLayerUploadCommand(targetFields)));
  if (!uploadId) throw new ActionError(`InitiateLayerUpload returned no upload ID for blob ${blob.digest}.`);
  const partBytes = MIN_PART_BYTES;

  const sendPart = async (part: Buffer, first: number): Promise<void> => {
    const body = await buffers.bodies.take();
    let reusable: Buffer | undefined;
    try {
      await send(target, 'UploadLayerPart', () =>
        target.ecr.send(uploadLayerPartCommand({ ...targetFields, uploadId, partFirstByte: first, partLastByte: first + part.length - 1, layerPartBlob: part }, body)),
      );
      reusable = body;
    } finally {
      buffers.bodies.give(reusable);
    }
  };

  // The part being sent, if any. Its failure is kept and rethrown at the next wait, so it is
  // never left unhandled when the download fails first.
  let sending: Promise<void> = Promise.resolve();
  let sendFailure: { error: unknown } | undefined;
  const waitForSend = async (): Promise<void> => {
    await sending;
    if (sendFailure) throw sendFailure.error;
  };

  const hash = createHash('sha256');
  let buffer = await buffers.parts.take();
  let filled = 0;
  let sent = 0;
  const flush = async (): Promise<void> => {
    await waitForSend();
    const full = buffer;
    const first = sent;
    sent += filled;
    sending = sendPart(full.subarray(0, filled), first).then(
      () => buffers.parts.give(full),
      (error: unknown) => {
        sendFailure = { error };
        buffers.parts.give(full);
      },
    );
    filled = 0;
    buffer = await buffers.parts.take();
  };

  try {
    for await (const chunk of response.body) {
      hash.update(chunk);
      let offset = 0;
      while (offset < chunk.length) {
        const count = Math.min(partBytes - filled, chunk.length - offset);
        buffer.set(chunk.subarray(offset, offset + count), filled);
        filled += count;
        offset += count;
        if (filled === partBytes) await flush();
      }
    }
    if (filled > 0) await flush();
  } finally {
    // Settles the last send before anything else happens: on success to check it, on a failed
    // download so that no send runs on after this blob's copy has ended.
    await sending;
    buffers.parts.give(buffer);
  }
  await waitForSend();

  const digest = `sha256:${hash.digest('hex')}`;
  if (digest !== blob.digest || (blob.size > 0 && sent !== blob.size)) {
    throw new ActionError(`Blob ${blob.digest} downloaded as ${sent} bytes with digest ${digest} (expected ${blob.size} bytes). The upload was not completed; run the promotion again.`);
  }
  try {
    await target.ecr.send(new CompleteLayerUploadCommand({ ...targetFields, uploadId, layerDigests: [blob.digest] }));
  } catch (error) {
    // Another promotion finished the same blob first: the target has it, which is the goal.
    if (awsErrorName(error) !== 'LayerAlreadyExistsException') throw explainEcrError(error, 'CompleteLayerUpload', target.target);
  }
  options.logger.debug(`Blob ${blob.digest} copied (${sent} bytes).`);
  return sent;
}
