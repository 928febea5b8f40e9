import { ActionError, errorMessage, explainAwsError, isAccessDeniedError, isCredentialsError } from '@ecs-deploy-kit/shared';

/** The repository a call addresses, and which side of the promotion it is, for messages. */
export interface RepositoryTarget {
  /** Account ID of the registry; undefined addresses the caller's own registry. */
  registryId?: string;
  repositoryName: string;
  region: string;
  side: 'source' | 'target';
}

export function awsErrorName(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'name' in error) return String((error as { name: unknown }).name);
  return '';
}

export function describeRepository(target: RepositoryTarget): string {
  return `${target.side} repository "${target.repositoryName}" (registry ${target.registryId ?? 'of the caller'}, ${target.region})`;
}

/**
 * Turns an ECR error into one line with the cause and the fix: a missing repository, a denied
 * call (which action on which side), layers or child manifests missing from the target, and a
 * manifest sent without its media type. Other errors pass through unchanged.
 */
export function explainEcrError(error: unknown, operation: string, target: RepositoryTarget): unknown {
  const name = awsErrorName(error);
  const where = describeRepository(target);
  if (name === 'RepositoryNotFoundException') {
    const input = target.side === 'source' ? '"source"' : '"target-repository"';
    return new ActionError(
      `Repository "${target.repositoryName}" not found in registry ${target.registryId ?? 'of the caller'} (${target.region}). ` +
        `Check the repository and account in ${input}, or create the repository with aws ecr create-repository.`,
      { cause: error },
    );
  }
  if (isAccessDeniedError(error)) {
    const explained = explainAwsError(error, `ecr:${operation}`);
    const policy = target.registryId ? ` When the ${target.side} registry ${target.registryId} belongs to another account, its repository policy must also allow ecr:${operation}.` : '';
    return new ActionError(`${errorMessage(explained)} It is needed on the ${where}.${policy}`, { cause: error });
  }
  if (isCredentialsError(error)) return explainAwsError(error, `ecr:${operation}`);
  if (name === 'LayersNotFoundException') {
    return new ActionError(
      `${operation} into the ${where} failed with LayersNotFoundException: the image's layers are not in that repository (${errorMessage(error)}). ` +
        'Layers must be copied into the target repository before its manifest; run the promotion again, which copies what is missing.',
      { cause: error },
    );
  }
  if (name === 'ReferencedImagesNotFoundException') {
    return new ActionError(
      `${operation} into the ${where} failed with ReferencedImagesNotFoundException: the index's platform or attestation manifests are not in that repository. ` +
        'They must be pushed by digest before the index; run the promotion again, which copies what is missing.',
      { cause: error },
    );
  }
  if (name === 'InvalidParameterException' && errorMessage(error).includes('Invalid JSON syntax')) {
    return new ActionError(
      `${operation} into the ${where} failed with "Invalid JSON syntax": ECR could not tell the manifest's media type. ` +
        'Pass imageManifestMediaType with the type BatchGetImage reported; this action sends it, so check that the source image reports one.',
      { cause: error },
    );
  }
  return error;
}
