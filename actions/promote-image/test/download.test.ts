import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ActionError } from '@ecs-deploy-kit/shared';

import { download } from '../src/download.ts';

const BLOB = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 256));
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/blob') {
      response.writeHead(200, { 'content-length': BLOB.length });
      response.end(BLOB);
    } else if (request.url === '/moved') {
      response.writeHead(307, { location: '/blob' });
      response.end();
    } else if (request.url === '/loop') {
      response.writeHead(302, { location: '/loop' });
      response.end();
    } else {
      response.writeHead(403);
      response.end('AccessDenied');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function read(body: AsyncIterable<Uint8Array> | null): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body ?? []) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('download', () => {
  it('streams a 200 body', async () => {
    const response = await download(`${base}/blob`);
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect((await read(response.body)).equals(BLOB)).toBe(true);
  });

  it('follows a relative redirect', async () => {
    const response = await download(`${base}/moved`);
    expect(response.status).toBe(200);
    expect((await read(response.body)).equals(BLOB)).toBe(true);
  });

  it('returns an error status without a body', async () => {
    const response = await download(`${base}/denied`);
    expect(response.ok).toBe(false);
    expect(response.status).toBe(403);
    expect(response.body).toBeNull();
  });

  it('stops after 5 redirects', async () => {
    await expect(download(`${base}/loop`)).rejects.toThrow('The layer download redirected more than 5 times.');
  });

  it('rejects other protocols', async () => {
    await expect(download('ftp://127.0.0.1/blob')).rejects.toThrow(ActionError);
    await expect(download('ftp://127.0.0.1/blob')).rejects.toThrow('protocol ftp:');
  });

  it('rejects when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(download(`http://127.0.0.1:${port}/blob`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
