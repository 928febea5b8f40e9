import http from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  status: number;
  /** Lowercase header names; repeated headers are joined with ", ". */
  headers: Record<string, string>;
  /** The body, cut at MAX_BODY_BYTES. */
  body: Buffer;
  bodyTruncated: boolean;
}

export type RequestFailureKind = 'timeout' | 'connection-refused' | 'connection-reset' | 'dns' | 'tls' | 'other';

/** A request that produced no complete response, with the cause in words a person reads. */
export class RequestFailure extends Error {
  readonly kind: RequestFailureKind;

  constructor(kind: RequestFailureKind, message: string) {
    super(message);
    this.name = 'RequestFailure';
    this.kind = kind;
  }
}

/** Sends one GET request; rejects with RequestFailure when no complete response arrives. */
export type HttpGet = (url: URL, timeoutMs: number) => Promise<HttpResponse>;

// Enough for a version string in a health or version document; a larger body is cut here.
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Sends a GET with node:http or node:https. Redirects are not followed, so a 3xx is the status
 * the check evaluates. Each request opens a new connection (no keep-alive agent), so a refused or
 * reset connection shows on the attempt that met it. The timeout covers the whole exchange,
 * body included.
 */
export const nodeHttpGet: HttpGet = (url, timeoutMs) =>
  new Promise<HttpResponse>((resolve, reject) => {
    const signal = AbortSignal.timeout(timeoutMs);
    const transport = url.protocol === 'https:' ? https : http;
    const fail = (error: unknown): void => reject(classifyRequestError(error, signal.aborted, timeoutMs));

    const request = transport.request(
      url,
      { method: 'GET', agent: false, signal, headers: { accept: '*/*', 'user-agent': 'ecs-deploy-kit/alb-smoke' } },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const finish = (): void =>
          resolve({
            status: response.statusCode ?? 0,
            headers: flattenHeaders(response.headers),
            body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES),
            bodyTruncated: truncated,
          });

        response.on('data', (chunk: Buffer) => {
          if (truncated) return;
          chunks.push(chunk);
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            truncated = true;
            finish();
            response.destroy();
          }
        });
        response.on('end', finish);
        response.on('error', fail);
      },
    );
    request.on('error', fail);
    request.end();
  });

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

const TLS_CODES = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_)/;

/** Maps a node:http error to a RequestFailure that names the cause and the error code. */
export function classifyRequestError(error: unknown, timedOut: boolean, timeoutMs: number): RequestFailure {
  if (timedOut) return new RequestFailure('timeout', `timed out after ${timeoutMs} ms (request-timeout)`);

  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const detail = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'ECONNREFUSED':
      return new RequestFailure('connection-refused', 'connection refused (ECONNREFUSED): nothing listens on that address and port');
    case 'ECONNRESET':
    case 'EPIPE':
      return new RequestFailure('connection-reset', `connection reset (${code}) before a complete response`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new RequestFailure('dns', `host name not resolved (${code})`);
    case 'ETIMEDOUT':
      return new RequestFailure('timeout', 'connection timed out (ETIMEDOUT)');
    default:
      if (TLS_CODES.test(code)) return new RequestFailure('tls', `TLS failed (${code}): ${detail}`);
      return new RequestFailure('other', code ? `request failed (${code}): ${detail}` : `request failed: ${detail}`);
  }
}
