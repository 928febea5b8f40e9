/** Wall clock in milliseconds since the epoch; injected so tests control time. */
export type Clock = () => number;
/** Waits the given milliseconds; injected so tests need not wait. */
export type Sleep = (ms: number) => Promise<void>;

export const systemClock: Clock = () => Date.now();
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PollOptions {
  /** Time between two checks, in milliseconds. */
  intervalMs: number;
  /** Total time allowed, in milliseconds, counted from the first check. */
  timeoutMs: number;
  /** Fraction of the interval added or removed at random, 0 to 1, so parallel jobs do not poll in step. */
  jitter?: number;
  clock: Clock;
  sleep: Sleep;
  random?: () => number;
  /** Returns true to stop early, e.g. on cancellation. */
  cancelled?: () => boolean;
}

export type PollResult<T> =
  | { status: 'done'; value: T; elapsedMs: number; checks: number }
  | { status: 'timeout'; elapsedMs: number; checks: number }
  | { status: 'cancelled'; elapsedMs: number; checks: number };

/**
 * Calls `check` at a fixed interval until it returns a value other than undefined, the
 * deadline passes or the poll is cancelled. The interval stays fixed (no exponential back-off),
 * so an outcome is seen within one interval of happening. The sleep before the deadline is
 * shortened, so the last check lands on the deadline rather than past it.
 */
export async function poll<T>(check: () => Promise<T | undefined>, options: PollOptions): Promise<PollResult<T>> {
  const random = options.random ?? Math.random;
  const jitter = Math.min(Math.max(options.jitter ?? 0.1, 0), 1);
  const start = options.clock();
  const deadline = start + options.timeoutMs;
  let checks = 0;

  for (;;) {
    if (options.cancelled?.()) return { status: 'cancelled', elapsedMs: options.clock() - start, checks };

    checks += 1;
    const value = await check();
    if (value !== undefined) return { status: 'done', value, elapsedMs: options.clock() - start, checks };

    const now = options.clock();
    if (now >= deadline) return { status: 'timeout', elapsedMs: now - start, checks };
    const spread = options.intervalMs * jitter * (random() * 2 - 1);
    const wait = Math.max(0, Math.min(options.intervalMs + spread, deadline - now));
    await options.sleep(wait);
  }
}
