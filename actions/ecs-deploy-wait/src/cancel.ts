import type { Sleep } from '@ecs-deploy-kit/shared';

/**
 * Returns a sleep that ends early once the signal aborts. A cancelled job then stops waiting at
 * once instead of after the current poll interval, because the runner kills the step a few
 * seconds after SIGINT.
 */
export function abortableSleep(signal: AbortSignal): Sleep {
  return (ms) =>
    new Promise((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
}
