import { ActionError } from './errors.ts';

/** Client settings every action builds its AWS SDK clients from. */
export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  maxAttempts: number;
  retryMode: 'adaptive';
  customUserAgent: string;
}

/**
 * Reads the standard AWS SDK settings from the environment, so one bundle runs on a runner
 * after aws-actions/configure-aws-credentials and locally against the emulator.
 *
 * `AWS_ENDPOINT_URL_<SERVICE>` wins over `AWS_ENDPOINT_URL`, as in the AWS SDKs' "service-specific
 * endpoints" setting. Credentials are left to the SDK's default provider chain. Retries use the
 * SDK's adaptive mode, which adds client-side rate limiting when the service throttles, with
 * more attempts than the default 3 because ECS throttles RegisterTaskDefinition at about one
 * call per second.
 */
export function awsConfigFromEnvironment(env: NodeJS.ProcessEnv, service: string, action: string): AwsClientConfig {
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  if (!region) {
    throw new ActionError(
      'No AWS region is set. Run aws-actions/configure-aws-credentials with aws-region before this step, or set AWS_REGION.',
    );
  }
  const serviceKey = `AWS_ENDPOINT_URL_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  const endpoint = env[serviceKey]?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
  const config: AwsClientConfig = {
    region,
    maxAttempts: 8,
    retryMode: 'adaptive',
    customUserAgent: `ecs-deploy-kit/${action}`,
  };
  if (endpoint) config.endpoint = endpoint;
  return config;
}

const CREDENTIAL_ERRORS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
]);

const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ThrottledException',
]);

function errorName(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'name' in error) return String((error as { name: unknown }).name);
  return '';
}

export function isThrottlingError(error: unknown): boolean {
  return THROTTLING_ERRORS.has(errorName(error));
}

export function isCredentialsError(error: unknown): boolean {
  return CREDENTIAL_ERRORS.has(errorName(error));
}

export function isAccessDeniedError(error: unknown): boolean {
  const name = errorName(error);
  return name === 'AccessDeniedException' || name === 'AccessDenied';
}

/**
 * Turns an AWS SDK error into an ActionError that states the fix, for the errors whose fix is
 * outside the action (credentials, permissions). Other errors pass through unchanged.
 */
export function explainAwsError(error: unknown, operation: string): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (isCredentialsError(error)) {
    return new ActionError(
      `${operation} failed: AWS credentials are expired or invalid (${errorName(error)}). ` +
        'Check the role assumed by aws-actions/configure-aws-credentials, or raise its role-duration-seconds if the session expired.',
      { cause: error },
    );
  }
  if (isAccessDeniedError(error)) {
    return new ActionError(`${operation} was denied: ${message} Grant this action to the role the workflow assumes.`, {
      cause: error,
    });
  }
  return error;
}
