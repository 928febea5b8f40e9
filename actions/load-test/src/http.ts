import { Pool } from 'undici';

export interface HttpRequest {
  method: string;
  /** Path and query; the origin is fixed when the client is created. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** True when the caller needs the body (to extract values); otherwise it is read and discarded. */
  readBody: boolean;
}

export interface HttpResponse {
  status: number;
  body?: string;
}

/** Sends requests to one origin; the engine never builds a URL, so a request cannot leave that origin. */
export interface HttpClient {
  send(request: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
  /** Aborts what is still in flight. */
  destroy(): Promise<void>;
}

export interface PoolOptions {
  /** Keep-alive connections to open at most. */
  connections: number;
  /** Time allowed for the response headers and, separately, for the body, in milliseconds. */
  requestTimeoutMs: number;
}

/**
 * Creates a client on an undici Pool with one request per connection at a time. Pipelining is
 * off because it would let one slow response delay the requests queued behind it on the same
 * connection. Requests beyond `connections` wait in the pool's queue, and their latency still
 * counts from the scheduled start.
 */
export function undiciClient(origin: string, options: PoolOptions): HttpClient {
  const pool = new Pool(origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: options.requestTimeoutMs,
    bodyTimeout: options.requestTimeoutMs,
    keepAliveTimeout: 30_000,
    connect: { timeout: options.requestTimeoutMs },
  });
  return {
    async send(request) {
      const response = await pool.request({
        method: request.method as 'GET',
        path: request.path,
        headers: request.headers,
        body: request.body ?? null,
      });
      if (request.readBody) return { status: response.statusCode, body: await response.body.text() };
      await response.body.dump();
      return { status: response.statusCode };
    },
    close: () => pool.close(),
    destroy: () => pool.destroy(),
  };
}

/** Returns a short name for a failed request: `timeout` for undici's timeouts, else the error code. */
export function errorKind(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
  if (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_ABORTED') return 'aborted';
  if (code === 'UND_ERR_SOCKET') return 'connection-reset';
  return code || 'error';
}
