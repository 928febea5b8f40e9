import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface TestServer {
  url: string;
  port: number;
  /** Requests received, by method and path. */
  requests: string[];
  close(): Promise<void>;
}

export type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

/** Starts an HTTP server on 127.0.0.1 with a free port; the only kind of server these tests load. */
export async function startServer(handler: Handler, options: { keepRequests?: boolean } = {}): Promise<TestServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (options.keepRequests !== false) requests.push(`${request.method} ${request.url}`);
      handler(request, response, Buffer.concat(chunks).toString('utf8'));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const fastHandler: Handler = (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end('{"ok":true}');
};

export function delayHandler(delayMs: number): Handler {
  return (request, response, body) => {
    // Node's timers count from libuv's cached millisecond loop time, so a timer can fire up to
    // about 1 ms early. Tests assert that no latency is below the delay, so the handler checks
    // the monotonic clock and waits again when the timer came early.
    const due = performance.now() + delayMs;
    const respondWhenDue = (): void => {
      const remainingMs = due - performance.now();
      if (remainingMs > 0) setTimeout(respondWhenDue, remainingMs);
      else fastHandler(request, response, body);
    };
    setTimeout(respondWhenDue, delayMs);
  };
}

/**
 * Responds at once except during the first `stallMs` of every `periodMs`, counted from the
 * server's start. A request arriving in a stall gets its response when the stall ends, as
 * with a server in a garbage-collection pause or waiting on a blocked database pool.
 */
export function stallHandler(stallMs: number, periodMs: number): Handler {
  const start = Date.now();
  return (request, response, body) => {
    const phase = (Date.now() - start) % periodMs;
    if (phase < stallMs) setTimeout(() => fastHandler(request, response, body), stallMs - phase);
    else fastHandler(request, response, body);
  };
}

/**
 * Creates a minimal quiz API with the routes of avantifellows/quiz-backend (commit be6150c)
 * that the shipped scenarios use. Sessions get ids that later paths must use, and a body that the route
 * would reject gets status 422, as FastAPI returns for a validation error.
 */
export function quizHandler(): Handler & { sessions: Map<string, { userId: string; answers: number; events: string[] }> } {
  const sessions = new Map<string, { userId: string; answers: number; events: string[] }>();
  let next = 1;
  const handler = ((request: IncomingMessage, response: ServerResponse, body: string) => {
    const url = request.url ?? '';
    const send = (status: number, value: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    const json = (): Record<string, unknown> => {
      try {
        return JSON.parse(body) as Record<string, unknown>;
      } catch {
        return {};
      }
    };
    if (request.method === 'GET' && /^\/quiz\/[\w-]+$/.test(url)) return send(200, { _id: 'load-test-quiz', question_sets: [] });
    if (request.method === 'GET' && url.startsWith('/questions/?question_set_id=')) return send(200, []);
    if (request.method === 'GET' && url.startsWith('/sessions/preflight?quiz_id=')) return send(200, { include_answers: false });
    if (request.method === 'GET' && url === '/health') return send(200, { status: 'healthy' });
    if (request.method === 'POST' && url === '/sessions/') {
      const fields = json();
      if (typeof fields.user_id !== 'string' || typeof fields.quiz_id !== 'string') return send(422, { detail: 'user_id and quiz_id are required' });
      const id = `s${next++}`;
      sessions.set(id, { userId: fields.user_id, answers: 0, events: [] });
      return send(201, { _id: id, user_id: fields.user_id, quiz_id: fields.quiz_id });
    }
    const event = /^\/sessions\/([\w-]+)$/.exec(url);
    const eventSession = event ? sessions.get(event[1] as string) : undefined;
    if (request.method === 'PATCH' && eventSession) {
      const name = json().event;
      if (name !== 'start-quiz' && name !== 'resume-quiz' && name !== 'dummy-event' && name !== 'end-quiz') return send(422, { detail: 'unknown event' });
      eventSession.events.push(name);
      return send(200, { time_remaining: null });
    }
    const answer = /^\/session_answers\/([\w-]+)\/(\d+)$/.exec(url);
    const answerSession = answer ? sessions.get(answer[1] as string) : undefined;
    if (request.method === 'PATCH' && answerSession) {
      if (!Array.isArray(json().answer)) return send(422, { detail: 'answer must be a list' });
      answerSession.answers += 1;
      return send(200, null);
    }
    return send(404, { detail: 'Not Found' });
  }) as Handler & { sessions: typeof sessions };
  handler.sessions = sessions;
  return handler;
}
