// Runs the emulator in the foreground for manual use: prints the endpoint and the
// environment variables that point the AWS CLI and SDKs at it, and stops on Ctrl-C.
import { parseArgs } from 'node:util';
import { startEmulator } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'log-file': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}: expected an integer from 0 to 65535`);
  process.exit(2);
}

const emulator = await startEmulator({ port, logFile: values['log-file'] });
console.log(`emulator listening on ${emulator.endpoint}`);
console.log('export these to use it from a shell:');
console.log(`export AWS_ENDPOINT_URL=${emulator.endpoint}`);
console.log(`export AWS_REGION=${emulator.region}`);
console.log('export AWS_ACCESS_KEY_ID=test');
console.log('export AWS_SECRET_ACCESS_KEY=test');
console.log('press Ctrl-C to stop');

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) {
    return;
  }
  stopping = true;
  await emulator.stop();
  console.log('emulator stopped');
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
