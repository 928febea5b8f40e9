import { RequestFailure } from '../src/http.ts';
import type { HttpRequest, HttpResponse, HttpSend } from '../src/http.ts';

/** One scripted reply: a response, or a failure the request rejects with. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string; latencyMs?: number } | RequestFailure;

export interface FakeWorld {
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  httpSend: HttpSend;
  /** URLs requested, in order. */
  requests: string[];
  /** Requests sent, in order. */
  sent: HttpRequest[];
  /** Sleeps requested, in milliseconds. */
  sleeps: number[];
}

/** Creates a fake clock, sleep and HTTP client that replay `replies` in order, advancing the clock by each latency. */
export function fakeWorld(replies: Reply[]): FakeWorld {
  let now = 1_000_000;
  const queue = [...replies];
  const world: FakeWorld = {
    clock: () => now,
    sleep: async (ms) => {
      world.sleeps.push(ms);
      now += ms;
    },
    httpSend: async (request) => {
      const url = request.url;
      world.requests.push(url.href);
      world.sent.push(request);
      const reply = queue.shift();
      if (reply === undefined) throw new Error(`unexpected request ${world.requests.length} to ${url.href}`);
      if (reply instanceof RequestFailure) {
        now += 5;
        throw reply;
      }
      now += reply.latencyMs ?? 10;
      const response: HttpResponse = {
        status: reply.status,
        headers: reply.headers ?? {},
        body: Buffer.from(reply.body ?? ''),
        bodyTruncated: false,
      };
      return response;
    },
    requests: [],
    sent: [],
    sleeps: [],
  };
  return world;
}
