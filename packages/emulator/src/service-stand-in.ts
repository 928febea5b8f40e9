import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP server on 127.0.0.1 in place of a service behind its load balancer. A request to
 * /health gets the version `versionFor` returns, in the x-app-version header and the JSON body,
 * or a 503 when it returns undefined (no healthy targets).
 */
export interface StandIn {
  /** Base URL, http://127.0.0.1:PORT. */
  url: string;
  /** Versions returned, in order. */
  versionsServed: string[];
  close(): Promise<void>;
}

export async function startServiceStandIn(versionFor: () => Promise<string | undefined>): Promise<StandIn> {
  const versionsServed: string[] = [];
  const server = http.createServer((request, response) => {
    void versionFor().then(
      (version) => {
        if (version === undefined) {
          response.writeHead(503, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ detail: 'no healthy targets' }));
          return;
        }
        if (request.url !== '/health') {
          response.writeHead(404, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ detail: 'Not Found' }));
          return;
        }
        versionsServed.push(version);
        response.writeHead(200, { 'content-type': 'application/json', 'x-app-version': version });
        response.end(JSON.stringify({ status: 'ok', version }));
      },
      (error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    versionsServed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Returns an image's version as the stand-in reports it: the digest, or else the tag. */
export function imageVersion(image: string): string {
  const at = image.indexOf('@');
  return at >= 0 ? image.slice(at + 1) : image.slice(image.lastIndexOf(':') + 1);
}

/**
 * Returns a version source that cycles through the images of the service's RUNNING tasks, as a
 * target group spreads requests, so during a rolling deployment old and new versions both
 * respond.
 */
export function roundRobinOfRunningTasks(runningImages: () => Promise<string[]>): () => Promise<string | undefined> {
  let next = 0;
  return async () => {
    const images = await runningImages();
    if (images.length === 0) return undefined;
    const image = images[next % images.length] as string;
    next += 1;
    return imageVersion(image);
  };
}
