import { ActionError, explainAwsError, isAccessDeniedError, isCredentialsError } from '@ecs-deploy-kit/shared';

/** The repository an action addresses, for messages. */
export interface RepositoryTarget {
  registryId: string;
  repositoryName: string;
  region: string;
}

export function awsErrorName(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'name' in error) return String((error as { name: unknown }).name);
  return '';
}

/**
 * Turns an ECR error into one line with the cause and the fix: a missing repository names it
 * and the registry, a denied call names the ECR action. Other errors pass through unchanged.
 */
export function explainEcrError(error: unknown, operation: string, target: RepositoryTarget): unknown {
  if (awsErrorName(error) === 'RepositoryNotFoundException') {
    return new ActionError(
      `Repository "${target.repositoryName}" not found in registry ${target.registryId} (${target.region}). ` +
        'Check the repository and account in "source", or create the repository with aws ecr create-repository.',
      { cause: error },
    );
  }
  if (isAccessDeniedError(error) || isCredentialsError(error)) {
    const explained = explainAwsError(error, `ecr:${operation}`);
    if (explained instanceof ActionError && isAccessDeniedError(error)) {
      return new ActionError(
        `${explained.message} For a registry in another account, its repository policy must also allow ecr:${operation}.`,
        { cause: error },
      );
    }
    return explained;
  }
  return error;
}
