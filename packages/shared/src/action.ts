import * as core from '@actions/core';

import { ActionError, InputError, errorMessage } from './errors.ts';
import type { InputReader } from './inputs.ts';
import type { Logger } from './report.ts';

/** Creates a Logger on top of @actions/core, whose groups fold in the log and whose warnings become annotations. */
export function coreLogger(): Logger {
  return {
    info: (message) => core.info(message),
    notice: (message) => core.notice(message),
    warning: (message) => core.warning(message),
    error: (message) => core.error(message),
    debug: (message) => core.debug(message),
    group: (title, body) => core.group(title, body),
  };
}

export const coreInputReader: InputReader = (name) => core.getInput(name);

/** Sets each output; values must be strings so the runner writes them unchanged. */
export function setOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}

export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(markdown, true).write();
}

/**
 * Runs an action's main and fails the step on any thrown value. Input and action errors are
 * printed as their message alone; anything else also gets its stack in the debug log.
 */
export async function runAction(actionName: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (!(error instanceof InputError) && !(error instanceof ActionError) && error instanceof Error && error.stack) {
      core.debug(error.stack);
    }
    core.setFailed(`${actionName}: ${errorMessage(error)}`);
  }
}
