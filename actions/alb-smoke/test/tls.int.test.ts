import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runActionBundle } from '@ecs-deploy-kit/action-runner';

const ACTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FAST = { interval: '20ms', 'request-timeout': '2s', attempts: '2' };

let work: string;
let certificatePath: string;
let server: Server;
let url: string;
/** The SNI server name and Host header of each request the server received. */
const seen: Array<{ serverName: string | false | null; host: string | undefined }> = [];

/**
 * Creates a self-signed certificate for quiz.test and quiz-internal.test with openssl, because
 * node:crypto can make keys but not X.509 certificates.
 */
async function createCertificate(directory: string): Promise<{ key: string; cert: string }> {
  const keyPath = path.join(directory, 'key.pem');
  certificatePath = path.join(directory, 'cert.pem');
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certificatePath, '-days', '1', '-subj', '/CN=quiz.test',
    '-addext', 'subjectAltName=DNS:quiz.test,DNS:quiz-internal.test',
  ]);
  return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certificatePath, 'utf8') };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'alb-smoke-tls-'));
  const credentials = await createCertificate(work);
  server = createServer(credentials, (request, response) => {
    seen.push({ serverName: (request.socket as TLSSocket).servername, host: request.headers.host });
    response.writeHead(200, { 'content-type': 'application/json', 'x-app-version': '1.4.0' });
    response.end('{"status":"ok"}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
});

afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await rm(work, { recursive: true, force: true });
});

describe('alb-smoke over TLS', () => {
  it('rejects a self-signed certificate', async () => {
    const run = await runActionBundle(ACTION_DIR, { inputs: { url, ...FAST } });

    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(/Attempt 1\/2: no response after \d+ ms, not counted: TLS failed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
  });

  it('accepts it when insecure', async () => {
    const run = await runActionBundle(ACTION_DIR, { inputs: { url, ...FAST, insecure: 'true' } });

    expect(run.exitCode).toBe(0);
    expect(run.outputs.version).toBe('1.4.0');
    expect(run.log).toContain('any TLS certificate accepted (insecure)');
  });

  it('checks the Host name', async () => {
    seen.length = 0;

    const run = await runActionBundle(ACTION_DIR, {
      inputs: { url, ...FAST, host: 'quiz.test' },
      env: { NODE_EXTRA_CA_CERTS: certificatePath },
    });

    expect(run.exitCode).toBe(0);
    expect(seen).toEqual([{ serverName: 'quiz.test', host: 'quiz.test' }]);
  });

  it('sends the TLS server name', async () => {
    seen.length = 0;

    const run = await runActionBundle(ACTION_DIR, {
      inputs: { url, ...FAST, host: 'quiz.test', 'tls-server-name': 'quiz-internal.test' },
      env: { NODE_EXTRA_CA_CERTS: certificatePath },
    });

    expect(run.exitCode).toBe(0);
    expect(seen).toEqual([{ serverName: 'quiz-internal.test', host: 'quiz.test' }]);
  });

  it('rejects a name mismatch', async () => {
    const run = await runActionBundle(ACTION_DIR, {
      inputs: { url, ...FAST, host: 'quiz-other.test' },
      env: { NODE_EXTRA_CA_CERTS: certificatePath },
    });

    expect(run.exitCode).toBe(1);
    expect(run.log).toContain('TLS failed (ERR_TLS_CERT_ALTNAME_INVALID)');
    expect(run.log).toContain("Host: quiz-other.test. is not in the cert's altnames: DNS:quiz.test, DNS:quiz-internal.test");
  });
});
