import { UploadLayerPartCommand } from '@aws-sdk/client-ecr';
import type { UploadLayerPartCommandInput, UploadLayerPartCommandOutput } from '@aws-sdk/client-ecr';
import type { SerializeMiddleware } from '@smithy/types';
import { ActionError } from '@ecs-deploy-kit/shared';

// UploadLayerPart sends the part as a base64 string inside its JSON body (ECR API reference,
// UploadLayerPart: layerPartBlob is a Base64-encoded blob in the AWS JSON 1.1 protocol).
// @aws-sdk/client-ecr 3.1178.0 serializes it with @smithy/core 3.41.1's JsonShapeSerializer,
// whose writeBase64 encodes one byte at a time in JavaScript: a CPU profile of a 256 MiB copy
// put 32% of the action's busy time there (docs/benchmarks.md). Node's Buffer encoder does the
// same work many times faster.
//
// So the SDK serializes the command with an empty layerPartBlob, and a middleware placed right
// after its serializer writes Node's base64 of the part between the empty string's quotes. The
// SDK then computes Content-Length, signs and sends the body as it would its own. The command's
// input keeps the part, so mocks and logs see the real input. A unit test checks that the bytes
// equal the SDK's own serialization.
const EMPTY_BLOB = Buffer.from('"layerPartBlob":""');
const NO_BYTES = new Uint8Array(0);
// A multiple of 3, so each slice encodes without padding: 48 KiB in, 64 KiB of base64 out.
const ENCODE_SLICE_BYTES = 3 * 16 * 1024;

/** Returns the bytes a request body needs for a part of `partBytes`: its base64 plus room for the other fields. */
export function bodyCapacity(partBytes: number): number {
  // The other fields (registry ID, repository name of at most 256 characters, upload ID, two
  // byte offsets) take a few hundred bytes.
  return 4 * Math.ceil(partBytes / 3) + 2048;
}

/**
 * Creates an UploadLayerPartCommand whose part is base64-encoded by Node's encoder, not the SDK's.
 * The body is written into `scratch` when it fits (see bodyCapacity), so a caller that reuses
 * scratch buffers spares the garbage collector one large buffer per part. The caller must not
 * reuse `scratch` until the send has settled.
 */
export function uploadLayerPartCommand(input: UploadLayerPartCommandInput, scratch?: Buffer): UploadLayerPartCommand {
  const command = new UploadLayerPartCommand(input);
  const part = input.layerPartBlob ?? NO_BYTES;
  const withoutPart: SerializeMiddleware<UploadLayerPartCommandInput, UploadLayerPartCommandOutput> = (next) => async (args) =>
    next({ ...args, input: { ...args.input, layerPartBlob: NO_BYTES } });
  const withPart: SerializeMiddleware<UploadLayerPartCommandInput, UploadLayerPartCommandOutput> = (next) => async (args) => {
    const request = args.request as { body?: unknown };
    request.body = insertPart(request.body, part, scratch);
    return next(args);
  };
  command.middlewareStack.addRelativeTo(withoutPart, { relation: 'before', toMiddleware: 'serializerMiddleware', name: 'promoteImageEmptyLayerPart', override: true });
  command.middlewareStack.addRelativeTo(withPart, { relation: 'after', toMiddleware: 'serializerMiddleware', name: 'promoteImageLayerPartBody', override: true });
  return command;
}

/** Returns the serialized body with the base64 of `part` between the quotes of its empty layerPartBlob. */
export function insertPart(body: unknown, part: Uint8Array, scratch?: Buffer): Buffer {
  let bytes: Buffer;
  if (typeof body === 'string') bytes = Buffer.from(body, 'utf8');
  else if (body instanceof Uint8Array) bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  else throw new ActionError(`The SDK serialized UploadLayerPart into an unexpected body (${typeof body}). Update actions/promote-image/src/part-body.ts for this SDK version.`);

  const at = bytes.indexOf(EMPTY_BLOB);
  if (at < 0 || bytes.indexOf(EMPTY_BLOB, at + 1) >= 0) {
    throw new ActionError('The SDK serialized UploadLayerPart without exactly one empty layerPartBlob. Update actions/promote-image/src/part-body.ts for this SDK version.');
  }
  const split = at + EMPTY_BLOB.length - 1; // the closing quote of the empty string
  const source = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
  const length = bytes.length + 4 * Math.ceil(part.length / 3);
  const out = scratch && scratch.length >= length ? scratch.subarray(0, length) : Buffer.allocUnsafe(length);
  bytes.copy(out, 0, 0, split);
  // Encoded a slice at a time: one string of the whole part would be a large V8 object, and a
  // profile showed the garbage collector's time doubling with one per part.
  let offset = split;
  for (let start = 0; start < source.length; start += ENCODE_SLICE_BYTES) {
    offset += out.write(source.toString('base64', start, Math.min(start + ENCODE_SLICE_BYTES, source.length)), offset, 'latin1');
  }
  bytes.copy(out, offset, split);
  return out;
}
