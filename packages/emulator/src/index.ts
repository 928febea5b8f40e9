// Starts the local AWS emulator (packages/emulator/server/main.py) as a child process
// and wraps its control API. The server binds 127.0.0.1 only and exits when the pipe
// to its stdin closes, so it cannot outlive this Node process.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(packageDir, '..', '..');
const serverMain = resolve(packageDir, 'server', 'main.py');

const DEFAULT_READY_TIMEOUT_MS = 30_000;
const STDERR_LINES_KEPT = 40;

/** Durations of each simulated ECS step, in seconds. */
export interface EmulatorTiming {
  tickSeconds: number;
  provisionSeconds: number;
  taskStartSeconds: number;
  healthySeconds: number;
  drainSeconds: number;
  stopSeconds: number;
  slowStartSeconds: number;
  crashSeconds: number;
}

export type DeploymentOutcome =
  | 'healthy'
  | 'slow-start'
  | 'image-pull-failure'
  | 'crash-loop'
  | 'failing-health-check'
  | 'secrets-failure'
  | 'missing-log-group';

/** A rule choosing how tasks of matching deployments behave; the newest matching rule wins. */
export interface DeploymentOutcomeRule {
  /** Service name; omitted matches every service. */
  service?: string;
  /** Matches when a container image equals it or contains it as a substring. */
  image?: string;
  outcome: DeploymentOutcome;
  /** Exit code of the essential container for `crash-loop` (default 1). */
  exitCode?: number;
  /** Lines the essential container writes to CloudWatch Logs before a `crash-loop` exit. */
  logLines?: string[];
}

export type SeedImageShape = 'single' | 'index' | 'index-with-attestation';

export interface SeedImageRequest {
  repository: string;
  tag?: string;
  /** Default `index`. */
  shape?: SeedImageShape;
  /** Platforms such as `linux/arm64` (the default) or `linux/amd64`. */
  platforms?: string[];
  /** Content variation: the same seed gives the same digests; the default is random. */
  seed?: string;
  /**
   * Sizes in bytes of generated layers that replace each platform's small tar layer. The bytes
   * are pseudo-random, a function of the seed, and kept on disk by the emulator.
   */
  layerSizes?: number[];
  /** Tag mutability of a repository this call creates (default `MUTABLE`). */
  tagMutability?: 'MUTABLE' | 'IMMUTABLE';
  region?: string;
  /** Registry (account) to seed, default 123456789012. */
  accountId?: string;
}

export interface SeededImageChild {
  digest: string;
  mediaType: string;
  /** `os/arch`, or `unknown/unknown` for attestation manifests. */
  platform: string;
}

export interface SeededImage {
  repositoryName: string;
  repositoryUri: string;
  tag: string | null;
  /** `sha256:` + hex SHA-256 of `manifest`. */
  digest: string;
  /** `<registry>/<repository>@<digest>`. */
  imageUri: string;
  mediaType: string;
  manifest: string;
  children: SeededImageChild[];
}

export interface Emulator {
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** Process ID of the emulator server, for benchmarks that read its CPU time. */
  readonly pid: number | undefined;
  /** Clears moto's state, the rollout state, the outcome rules and the ECR blobs; keeps timing. */
  reset(): Promise<void>;
  setTiming(timing: Partial<EmulatorTiming>): Promise<void>;
  addDeploymentOutcome(rule: DeploymentOutcomeRule): Promise<void>;
  seedImage(request: SeedImageRequest): Promise<SeededImage>;
  /** Container images of the service's tasks whose lastStatus is RUNNING, sorted and unique. */
  runningImages(cluster: string, service: string): Promise<string[]>;
  stop(): Promise<void>;
}

export interface StartEmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free port. */
  port?: number;
  /** File that receives the server's stderr log. */
  logFile?: string;
  /** How long to wait for the server to listen, in milliseconds (default 30000). */
  readyTimeoutMs?: number;
}

export const EMULATOR_REGION = 'ap-south-1';
export const EMULATOR_ACCOUNT_ID = '123456789012';

/** Returns the Python interpreter that has moto 5.2.x, installing it into .tools/venv if needed. */
export async function resolvePython(): Promise<string> {
  const venvPython = resolve(repoRoot, '.tools', 'venv', 'bin', 'python');
  if (existsSync(venvPython)) {
    return venvPython;
  }
  const script = resolve(repoRoot, 'scripts', 'ensure-moto.sh');
  return new Promise((resolvePath, reject) => {
    execFile('bash', [script], { timeout: 600_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${script} failed (${error.message}); its stderr:\n${stderr}`));
        return;
      }
      const path = stdout.trim().split('\n').pop() ?? '';
      if (!path) {
        reject(new Error(`${script} printed no interpreter path; its stderr:\n${stderr}`));
        return;
      }
      resolvePath(path);
    });
  });
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  const python = await resolvePython();
  const port = options.port ?? 0;
  const child = spawn(python, [serverMain, '--port', String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_LINES_KEPT) {
      stderrTail.shift();
    }
    log?.write(line + '\n');
  });

  const endpoint = await waitForReady(child, stderrTail, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  return createHandle(child, endpoint, log);
}

function waitForReady(child: ChildProcess, stderrTail: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolveEndpoint, reject) => {
    const describeTail = (): string => (stderrTail.length ? `\nlast lines of its stderr:\n${stderrTail.join('\n')}` : '');
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`emulator did not print EMULATOR_READY within ${timeoutMs} ms${describeTail()}`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^EMULATOR_READY (http:\/\/127\.0\.0\.1:\d+)$/.exec(line.trim());
      if (match?.[1]) {
        clearTimeout(timer);
        resolveEndpoint(match[1]);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`failed to start the emulator with ${String(child.spawnfile)}: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // Give readline a moment to flush the last stderr lines into the message.
      setTimeout(() => {
        reject(new Error(`emulator exited before it was ready (code ${code}, signal ${signal})${describeTail()}`));
      }, 50);
    });
  });
}

function createHandle(child: ChildProcess, endpoint: string, log: WriteStream | undefined): Emulator {
  const exited = new Promise<void>((resolveExit) => {
    if (child.exitCode !== null) {
      resolveExit();
    } else {
      child.once('exit', () => resolveExit());
    }
  });

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${endpoint}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`emulator control ${method} ${path} failed with HTTP ${response.status}: ${text}`);
    }
    return JSON.parse(text) as T;
  }

  return {
    endpoint,
    region: EMULATOR_REGION,
    accountId: EMULATOR_ACCOUNT_ID,
    pid: child.pid,
    async reset() {
      await call('POST', '/reset');
    },
    async setTiming(timing) {
      await call('POST', '/timing', timing);
    },
    async addDeploymentOutcome(rule) {
      await call('POST', '/deployment-outcomes', rule);
    },
    async seedImage(request) {
      return call<SeededImage>('POST', '/ecr/images', { region: EMULATOR_REGION, ...request });
    },
    async runningImages(cluster, service) {
      const query = new URLSearchParams({ cluster, service, region: EMULATOR_REGION });
      const result = await call<{ images: string[] }>('GET', `/ecs/running-images?${query.toString()}`);
      return result.images;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.end();
        const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(killTimer);
      }
      await new Promise<void>((resolveClose) => (log ? log.end(() => resolveClose()) : resolveClose()));
    },
  };
}

export * from './quiz-backend.ts';
export * from './service-stand-in.ts';
