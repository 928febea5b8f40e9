// A test server for the load-test benchmark, on 127.0.0.1 only. Prints its port, then serves
// until its stdin closes, so it cannot outlive the benchmark.
//   node server.ts fast    responds at once
//   node server.ts delay   responds after 50 ms
//   node server.ts stall   responds at once, except during the first second of every ten
//   node server.ts canned  writes one fixed response per request, without node:http
// `canned` serves the highest-rate test. At autocannon's rate, `fast` kept the server's core
// 96 % busy, so the server nearly set the rate, and `canned` kept it 76 to 86 % busy. It
// counts a request at each blank line that ends a header block. That is enough because the
// benchmark sends only GETs without a body.
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';

const mode = process.argv[2] ?? 'fast';
const start = Date.now();
const body = '{"ok":true}';

const CANNED = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nkeep-alive: timeout=60\r\n\r\n${body}`, 'latin1');
const HEADER_END = '\r\n\r\n';

function cannedServer(): Server {
  return createTcpServer((socket) => {
    socket.setNoDelay(true);
    // The end of the last chunk, in case a header block's blank line spans two reads.
    let carry = '';
    socket.on('data', (chunk: Buffer) => {
      const text = carry + chunk.toString('latin1');
      let requests = 0;
      let from = 0;
      for (let at = text.indexOf(HEADER_END); at !== -1; at = text.indexOf(HEADER_END, from)) {
        requests += 1;
        from = at + HEADER_END.length;
      }
      carry = text.slice(Math.max(from, text.length - (HEADER_END.length - 1)));
      if (requests === 1) socket.write(CANNED);
      else if (requests > 1) socket.write(Buffer.concat(Array.from({ length: requests }, () => CANNED)));
    });
    socket.on('error', () => socket.destroy());
  });
}

const server = mode === 'canned' ? cannedServer() : createServer((_request, response) => {
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
if ('keepAliveTimeout' in server) server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  console.log((server.address() as AddressInfo).port);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
