// Runs the action's HTTP client (actions/load-test/src/http.ts, undici's dispatcher) as a
// closed loop with nothing else in the process: no arrival schedule, no histograms. It shows
// the most the client itself can send from one core, the ceiling under any engine built on it.
//   node client-alone.ts URL CONNECTIONS SECONDS
// Prints one JSON line: requests/s over SECONDS after 1 s of warm-up, and the process's CPU.
import { performance } from 'node:perf_hooks';

import { undiciClient } from '../../actions/load-test/src/http.ts';

const [url = '', connectionsText = '50', secondsText = '10'] = process.argv.slice(2);
if (!url.startsWith('http://127.0.0.1:')) throw new Error(`The benchmark loads 127.0.0.1 only, not ${url}.`);
const connections = Number(connectionsText);
const seconds = Number(secondsText);
const client = undiciClient(new URL(url).origin, { connections, requestTimeoutMs: 10_000 });
const request = { method: 'GET', path: '/', headers: {}, readBody: false };

let completed = 0;
let errors = 0;
let running = true;
async function loop(): Promise<void> {
  while (running) {
    try {
      const response = await client.send(request);
      if (response.status !== 200) errors += 1;
    } catch {
      errors += 1;
    }
    completed += 1;
  }
}
const loops = Array.from({ length: connections }, () => loop());

await new Promise((resolve) => setTimeout(resolve, 1000));
const startCount = completed;
const startMs = performance.now();
const startCpu = process.cpuUsage();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const elapsedS = (performance.now() - startMs) / 1000;
const cpu = process.cpuUsage(startCpu);
const rps = (completed - startCount) / elapsedS;
running = false;
await Promise.all(loops);
await client.close();
console.log(JSON.stringify({ rps: Math.round(rps), errors, cpuPercent: Math.round(((cpu.user + cpu.system) / 1e4 / elapsedS) * 10) / 10 }));
