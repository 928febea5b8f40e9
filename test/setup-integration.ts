import { jest } from '@jest/globals';

// testTimeout is a global Jest option that a project entry ignores, so the integration project
// sets its longer timeout here: each test starts the emulator and waits for real deployments.
jest.setTimeout(120_000);
