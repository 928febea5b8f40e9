// A test server for the load-test benchmark, on 127.0.0.1 only. Prints its port, then serves
// until its stdin closes, so it cannot outlive the benchmark.
//   node server.ts fast    responds at once
//   node server.ts delay   responds after 50 ms
//   node server.ts stall   responds at once, except during the first second of every ten
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const mode = process.argv[2] ?? 'fast';
const start = Date.now();
const body = '{"ok":true}';

const server = createServer((_request, response) => {
  const answer = (): void => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    response.end(body);
  };
  if (mode === 'delay') {
    setTimeout(answer, 50);
    return;
  }
  if (mode === 'stall') {
    const phase = (Date.now() - start) % 10_000;
    if (phase < 1000) {
      setTimeout(answer, 1000 - phase);
      return;
    }
  }
  answer();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  console.log((server.address() as AddressInfo).port);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
