import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

import { ECRClient, UploadLayerPartCommand } from '@aws-sdk/client-ecr';
import type { UploadLayerPartCommandInput } from '@aws-sdk/client-ecr';
import { describe, expect, it } from '@jest/globals';
import { ActionError } from '@ecs-deploy-kit/shared';

import { bodyCapacity, insertPart, uploadLayerPartCommand } from '../src/part-body.ts';

interface Sent {
  body: Buffer;
  headers: Record<string, string>;
}

/** An ECR client whose request handler records each request as sent and responds as ECR does. */
function recordingClient(): { client: ECRClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const client = new ECRClient({
    region: 'ap-south-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret' },
    requestHandler: {
      handle: async (request: { body?: unknown; headers: Record<string, string> }) => {
        const body = request.body as Uint8Array | string;
        sent.push({ body: typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength), headers: { ...request.headers } });
        const reply = JSON.stringify({ registryId: '123456789012', repositoryName: 'quiz-backend', uploadId: 'upload-1', lastByteReceived: 0 });
        return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: Readable.from([Buffer.from(reply)]) } };
      },
    },
  });
  return { client, sent };
}

function input(part: Uint8Array): UploadLayerPartCommandInput {
  return { registryId: '123456789012', repositoryName: 'quiz-backend', uploadId: 'upload-1', partFirstByte: 0, partLastByte: Math.max(part.length - 1, 0), layerPartBlob: part };
}

describe('uploadLayerPartCommand', () => {
  it.each([0, 1, 2, 3, 1000, 5 * 1024 * 1024 + 1])('matches the SDK body for %i bytes', async (size) => {
    const part = randomBytes(size);
    const { client, sent } = recordingClient();

    await client.send(new UploadLayerPartCommand(input(part)));
    await client.send(uploadLayerPartCommand(input(part)));
    await client.send(uploadLayerPartCommand(input(part), Buffer.alloc(bodyCapacity(size), 0xff)));

    const [sdk, ours, reused] = sent;
    expect(reused?.body.equals(sdk!.body)).toBe(true);
    expect(ours?.body.equals(sdk!.body)).toBe(true);
    expect(ours?.headers['content-length']).toBe(String(sdk!.body.length));
    expect(ours?.headers['x-amz-content-sha256']).toBe(sdk!.headers['x-amz-content-sha256']);
    expect(JSON.parse(ours!.body.toString()).layerPartBlob).toBe(part.toString('base64'));
    client.destroy();
  });

  it('encodes only the part view', async () => {
    const whole = randomBytes(64);
    const part = whole.subarray(10, 20);
    const { client, sent } = recordingClient();

    await client.send(uploadLayerPartCommand(input(part)));

    expect(JSON.parse(sent[0]!.body.toString()).layerPartBlob).toBe(Buffer.from(part).toString('base64'));
    client.destroy();
  });

  it('keeps the part in input', () => {
    const part = randomBytes(16);
    expect(uploadLayerPartCommand(input(part)).input.layerPartBlob).toBe(part);
  });
});

describe('insertPart', () => {
  const part = Buffer.from([1, 2, 3]);

  it('accepts a string body', () => {
    expect(insertPart('{"a":1,"layerPartBlob":""}', part).toString()).toBe('{"a":1,"layerPartBlob":"AQID"}');
  });

  it.each([
    ['no empty layerPartBlob', '{"layerPartBlob":"AQID"}'],
    ['two empty layerPartBlobs', '{"layerPartBlob":"","x":{"layerPartBlob":""}}'],
  ])('rejects a body with %s', (_name, body) => {
    expect(() => insertPart(body, part)).toThrow(ActionError);
    expect(() => insertPart(body, part)).toThrow(/part-body\.ts/);
  });

  it('writes into a roomy scratch buffer', () => {
    const roomy = Buffer.alloc(bodyCapacity(part.length));
    const written = insertPart('{"layerPartBlob":""}', part, roomy);
    expect(written.buffer).toBe(roomy.buffer);
    expect(written.toString()).toBe('{"layerPartBlob":"AQID"}');
  });

  it('allocates when scratch is small', () => {
    const body = '{"layerPartBlob":""}';
    const tight = Buffer.alloc(4);
    const allocated = insertPart(body, part, tight);
    expect(allocated.buffer).not.toBe(tight.buffer);
    expect(allocated.toString()).toBe('{"layerPartBlob":"AQID"}');
  });

  it('rejects a body of another type', () => {
    expect(() => insertPart(undefined, part)).toThrow(/unexpected body \(undefined\)/);
  });
});
