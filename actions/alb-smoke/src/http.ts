import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';

export interface HttpResponse {
  status: number;
  /** Lowercase header names; repeated headers are joined with ", ". */
  headers: Record<string, string>;
  /** The body, cut at MAX_BODY_BYTES. */
  body: Buffer;
  bodyTruncated: boolean;
}

export type RequestFailureKind = 'timeout' | 'connection-refused' | 'connection-reset' | 'dns' | 'tls' | 'redirect' | 'other';

/**
 * A request that produced no response the check can evaluate, with the cause in words a person
 * reads. A failed redirect chain keeps its last response for the failure report.
 */
export class RequestFailure extends Error {
  readonly kind: RequestFailureKind;
  readonly response: HttpResponse | undefined;

  constructor(kind: RequestFailureKind, message: string, response?: HttpResponse) {
    super(message);
    this.name = 'RequestFailure';
    this.kind = kind;
    this.response = response;
  }
}

/** One request as the action sends it. */
export interface HttpRequest {
  url: URL;
  /** Uppercase method. */
  method: string;
  /** Lowercase header names. A `host` entry is sent as the Host header while the connection goes to the URL's address. */
  headers: Record<string, string>;
  /** TLS server name (SNI) and the name the certificate must match; the URL's host when absent. */
  tlsServerName?: string;
  /** Accept any TLS certificate. */
  insecure: boolean;
  timeoutMs: number;
}

/** Sends one request; rejects with RequestFailure when no complete response arrives. */
export type HttpSend = (request: HttpRequest) => Promise<HttpResponse>;

// Enough for a version string in a health or version document; a larger body is cut here.
export const MAX_BODY_BYTES = 1024 * 1024;

const USER_AGENT = 'ecs-deploy-kit/alb-smoke';

/**
 * Sends a request with node:http or node:https and does not follow redirects. Each request
 * opens a new connection (no keep-alive agent), so a refused or reset connection shows on the
 * attempt that met it and each attempt may reach a different target behind the load balancer.
 * The timeout covers the whole exchange, body included.
 */
export const nodeHttpSend: HttpSend = (spec) =>
  new Promise<HttpResponse>((resolve, reject) => {
    const signal = AbortSignal.timeout(spec.timeoutMs);
    const fail = (error: unknown): void => reject(classifyRequestError(error, signal.aborted, spec.timeoutMs));
    const headers = { accept: '*/*', 'user-agent': USER_AGENT, ...spec.headers };

    const onResponse = (response: http.IncomingMessage): void => {
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
    };

    const options: https.RequestOptions = { method: spec.method, agent: false, signal, headers };
    let request: http.ClientRequest;
    if (spec.url.protocol === 'https:') {
      const serverName = spec.tlsServerName ?? hostName(spec.headers.host) ?? spec.url.hostname;
      // Node uses servername both for SNI and for the certificate name check; SNI takes no IP address.
      if (isIP(serverName) === 0) options.servername = serverName;
      else options.checkServerIdentity = (_host, certificate) => tls.checkServerIdentity(serverName, certificate);
      options.rejectUnauthorized = !spec.insecure;
      request = https.request(spec.url, options, onResponse);
    } else {
      request = http.request(spec.url, options, onResponse);
    }
    request.on('error', fail);
    request.end();
  });

/** Returns the host name of a Host header value, without its port or IPv6 brackets. */
function hostName(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const match = /^\[([^\]]+)\](?::\d+)?$/.exec(host) ?? /^([^:]+)(?::\d+)?$/.exec(host);
  return match?.[1];
}

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
