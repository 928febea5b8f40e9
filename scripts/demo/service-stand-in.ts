import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP server on 127.0.0.1 in place of the quiz-backend behind its load balancer.
 * Each request is answered by the next RUNNING task of the service in the emulator (round
 * robin), reporting that task's image digest as its version, so during a rolling deployment the
 * old and the new version both answer, as they do behind a real target group.
 */
export interface StandIn {
  url: string;
  close(): Promise<void>;
}

export async function startServiceStandIn(runningImages: () => Promise<string[]>): Promise<StandIn> {
  let next = 0;
  const server = http.createServer((request, response) => {
    void (async () => {
      const images = await runningImages();
      if (images.length === 0) {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ detail: 'no healthy targets' }));
        return;
      }
      const image = images[next % images.length] as string;
      next += 1;
      const version = image.includes('@') ? image.slice(image.indexOf('@') + 1) : image.slice(image.lastIndexOf(':') + 1);
      if (request.url === '/health') {
        response.writeHead(200, { 'content-type': 'application/json', 'x-app-version': version });
        response.end(JSON.stringify({ status: 'ok', version }));
        return;
      }
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ detail: 'Not Found' }));
    })().catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
