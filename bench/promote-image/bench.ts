// Measures promote-image against the local emulator on 127.0.0.1:
// - ECR calls and wall time of a same-repository promotion with 1 and 5 tags;
// - throughput, CPU time of the action and of the emulator, and peak resident memory of the
//   action process while it copies a 1 GiB image
//   (one manifest, 4 layers of 256 MiB) into another repository, at concurrency 1, 4 and 8.
// Prints a Markdown table. Usage: node bench/promote-image/bench.ts [--layer-mib 256]
import { spawn } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { startEmulator } from '@ecs-deploy-kit/emulator';

const ACTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'actions', 'promote-image');
const REGISTRY = '123456789012.dkr.ecr.ap-south-1.amazonaws.com';
const MIB = 1024 * 1024;
const LAYERS = 4;
const CONCURRENCY_LEVELS = [1, 4, 8];

interface Measurement {
  case: string;
  seconds: number;
  /** User plus system CPU seconds of the action process. */
  cpuSeconds: number;
  peakRssMiB: number;
  /** User plus system CPU seconds the emulator process spent during the case. */
  emulatorCpuSeconds?: number;
  ecrCalls?: number;
  bytes?: number;
  exitCode: number;
}

function layerMiB(): number {
  const index = process.argv.indexOf('--layer-mib');
  return index >= 0 ? Number(process.argv[index + 1]) : 256;
}

// Clock ticks per second of /proc/<pid>/stat on Linux (getconf CLK_TCK; 100 on x86-64 and arm64).
const CLOCK_TICKS = 100;

/** User plus system CPU seconds of a process and all its threads so far, from /proc/<pid>/stat. */
function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces: utime and
  // stime are fields 14 and 15 of proc(5), the 12th and 13th after the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * Runs dist/index.js under /usr/bin/time, which reports the process's maximum resident set
 * size (%M, KiB), elapsed seconds (%e) and user and system CPU seconds (%U, %S) once it exits.
 */
async function runBundle(endpoint: string, inputs: Record<string, string>): Promise<{ seconds: number; cpuSeconds: number; peakRssMiB: number; exitCode: number; stdout: string; outputs: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'promote-bench-'));
  const outputFile = path.join(dir, 'output');
  const timeFile = path.join(dir, 'time');
  await writeFile(outputFile, '');
  await writeFile(path.join(dir, 'summary'), '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'ap-south-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    RUNNER_TEMP: dir,
  };
  // For profiling, e.g. BENCH_ACTION_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/profiles'.
  if (process.env.BENCH_ACTION_NODE_OPTIONS) env.NODE_OPTIONS = process.env.BENCH_ACTION_NODE_OPTIONS;
  const defaults: Record<string, string> = { 'source-tag': '', 'source-digest': '', 'target-repository': '', 'allow-overwrite': 'false', 'expected-digest': '', concurrency: '4' };
  for (const [name, value] of Object.entries({ ...defaults, ...inputs })) env[`INPUT_${name.toUpperCase()}`] = value;

  const child = spawn('/usr/bin/time', ['-f', '%M %e %U %S', '-o', timeFile, process.execPath, path.join(ACTION_DIR, 'dist', 'index.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  const [rssKiB, seconds, user, system] = (await readFile(timeFile, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number);
  const outputs = await readFile(outputFile, 'utf8');
  await rm(dir, { recursive: true, force: true });
  return { seconds: seconds ?? NaN, cpuSeconds: (user ?? NaN) + (system ?? NaN), peakRssMiB: (rssKiB ?? NaN) / 1024, exitCode, stdout, outputs };
}

/**
 * Starts a loopback proxy in front of the emulator that counts ECR API calls (requests with an
 * X-Amz-Target header), so the bench counts the action's calls without changing it.
 */
async function startCountingProxy(endpoint: string): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let count = 0;
  const upstream = new URL(endpoint);
  const server = createServer((request, response) => {
    if (request.headers['x-amz-target']) count += 1;
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers },
      (reply) => {
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
      },
    );
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    calls: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Puts the emulator's blobs on the tmpfs /dev/shm when it has room for the image twice over,
 * unless EMULATOR_BLOB_DIR already names a place. On this project's virtual machine, writing
 * each copied gigabyte to its disk cost the emulator about 1 s more CPU on the same 2 cores
 * that the action uses, which measured the disk rather than the action. Returns where blobs go.
 */
function chooseBlobStorage(imageBytes: number): string {
  if (process.env.EMULATOR_BLOB_DIR) return process.env.EMULATOR_BLOB_DIR;
  if (existsSync('/dev/shm')) {
    const stats = statfsSync('/dev/shm');
    if (stats.bavail * stats.bsize >= 2 * imageBytes + 256 * MIB) {
      process.env.EMULATOR_BLOB_DIR = '/dev/shm';
      return '/dev/shm';
    }
  }
  return tmpdir();
}

async function main(): Promise<void> {
  const layerBytes = layerMiB() * MIB;
  const blobStorage = chooseBlobStorage(LAYERS * layerBytes);
  process.stderr.write(`emulator blobs under ${blobStorage}\n`);
  const emulator = await startEmulator();
  const results: Measurement[] = [];
  try {
    const ecr = new ECRClient({ endpoint: emulator.endpoint, region: 'ap-south-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

    await emulator.seedImage({ repository: 'quiz-backend', tag: 'sha-1a2b3c4', shape: 'index-with-attestation', seed: 'bench' });
    const proxy = await startCountingProxy(emulator.endpoint);
    for (const count of [1, 5]) {
      const tags = Array.from({ length: count }, (_, index) => `bench-${count}-${index}`).join(',');
      const before = proxy.calls();
      const run = await runBundle(proxy.url, { source: `${REGISTRY}/quiz-backend:sha-1a2b3c4`, tags });
      results.push({ case: `same repository, ${count} tag(s)`, seconds: run.seconds, cpuSeconds: run.cpuSeconds, peakRssMiB: run.peakRssMiB, exitCode: run.exitCode, ecrCalls: proxy.calls() - before });
    }
    await proxy.close();

    const started = Date.now();
    const large = await emulator.seedImage({ repository: 'quiz-backend-large', tag: 'v1', shape: 'single', seed: 'bench-large', layerSizes: Array.from({ length: LAYERS }, () => layerBytes) });
    process.stderr.write(`seeded ${large.digest} (${LAYERS} x ${layerBytes / MIB} MiB) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

    for (const concurrency of CONCURRENCY_LEVELS) {
      const repository = `quiz-backend-copy-c${concurrency}`;
      await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
      const emulatorCpuBefore = processCpuSeconds(emulator.pid);
      const run = await runBundle(emulator.endpoint, { source: `${REGISTRY}/quiz-backend-large:v1`, 'target-repository': repository, tags: 'v1', concurrency: String(concurrency) });
      const bytes = Number(/bytes-copied<<(\S+)\n(\d+)/.exec(run.outputs)?.[2] ?? /bytes-copied=(\d+)/.exec(run.outputs)?.[1] ?? NaN);
      results.push({ case: `copy ${(LAYERS * layerBytes) / MIB} MiB, concurrency ${concurrency}`, seconds: run.seconds, cpuSeconds: run.cpuSeconds, peakRssMiB: run.peakRssMiB, exitCode: run.exitCode, bytes, emulatorCpuSeconds: processCpuSeconds(emulator.pid) - emulatorCpuBefore });
      if (run.exitCode !== 0) process.stderr.write(run.stdout.slice(-3000));
    }
    ecr.destroy();
  } finally {
    await emulator.stop();
  }

  console.log('| Case | Exit code | ECR calls | Wall time (s) | Action CPU (s) | Emulator CPU (s) | Peak RSS (MiB) | Bytes copied | Throughput (MB/s) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const throughput = r.bytes ? (r.bytes / 1e6 / r.seconds).toFixed(0) : '-';
    console.log(`| ${r.case} | ${r.exitCode} | ${r.ecrCalls ?? '-'} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ${r.emulatorCpuSeconds?.toFixed(2) ?? '-'} | ${r.peakRssMiB.toFixed(0)} | ${r.bytes ?? '-'} | ${throughput} |`);
  }
}

await main();
