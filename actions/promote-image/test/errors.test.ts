import { describe, expect, it } from '@jest/globals';
import { ActionError } from '@ecs-deploy-kit/shared';

import { explainEcrError } from '../src/errors.ts';
import { renderOutputs, renderSummary } from '../src/summary.ts';

const TARGET = { repositoryName: 'quiz-backend', registryId: '210987654321', region: 'ap-south-1', side: 'target' as const };
const SOURCE = { repositoryName: 'quiz-backend', registryId: '123456789012', region: 'ap-south-1', side: 'source' as const };

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe('explainEcrError', () => {
  it.each([
    [
      'LayersNotFoundException',
      'PutImage',
      TARGET,
      "Layers with digests '[sha256:ab]' required for pushing image do not exist",
      "PutImage into the target repository \"quiz-backend\" (registry 210987654321, ap-south-1) failed with LayersNotFoundException: the image's layers are not in that repository (Layers with digests '[sha256:ab]' required for pushing image do not exist). Layers must be copied into the target repository before its manifest; run the promotion again, which copies what is missing.",
    ],
    [
      'ReferencedImagesNotFoundException',
      'PutImage',
      TARGET,
      'The manifest list is referencing an image that does not exist',
      "PutImage into the target repository \"quiz-backend\" (registry 210987654321, ap-south-1) failed with ReferencedImagesNotFoundException: the index's platform or attestation manifests are not in that repository. They must be pushed by digest before the index; run the promotion again, which copies what is missing.",
    ],
    [
      'InvalidParameterException',
      'PutImage',
      TARGET,
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
      "PutImage into the target repository \"quiz-backend\" (registry 210987654321, ap-south-1) failed with \"Invalid JSON syntax\": ECR could not tell the manifest's media type. Pass imageManifestMediaType with the type BatchGetImage reported; this action sends it, so check that the source image reports one.",
    ],
    [
      'AccessDeniedException',
      'GetDownloadUrlForLayer',
      SOURCE,
      'User is not authorized to perform: ecr:GetDownloadUrlForLayer',
      'ecr:GetDownloadUrlForLayer was denied: User is not authorized to perform: ecr:GetDownloadUrlForLayer Grant this action to the role the workflow assumes. It is needed on the source repository "quiz-backend" (registry 123456789012, ap-south-1). When the source registry 123456789012 belongs to another account, its repository policy must also allow ecr:GetDownloadUrlForLayer.',
    ],
    [
      'RepositoryNotFoundException',
      'BatchGetImage',
      TARGET,
      'The repository does not exist',
      'Repository "quiz-backend" not found in registry 210987654321 (ap-south-1). Check the repository and account in "target-repository", or create the repository with aws ecr create-repository.',
    ],
  ])('explains %s', (name, operation, target, message, expected) => {
    const explained = explainEcrError(awsError(name, message), operation, target);

    expect(explained).toBeInstanceOf(ActionError);
    expect((explained as ActionError).message).toBe(expected);
  });

  it('passes other errors through', () => {
    const error = awsError('ImageAlreadyExistsException', 'Image already exists');

    expect(explainEcrError(error, 'PutImage', TARGET)).toBe(error);
  });
});

describe('renderSummary for a copy', () => {
  it('shows what was copied', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const result = {
      digest,
      imageUri: `210987654321.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend@${digest}`,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      tags: [{ tag: 'v1.4.2', result: 'created' as const }],
      copied: true,
      manifestsCopied: 3,
      blobsCopied: 6,
      bytesCopied: 1536 * 1024 * 1024,
    };

    expect(renderSummary(result)).toContain('Copied into the target: 3 manifest(s), 6 blob(s), 1.50 GiB.');
    expect(renderOutputs(result)).toMatchObject({ 'blobs-copied': '6', 'bytes-copied': String(1536 * 1024 * 1024) });
  });
});
