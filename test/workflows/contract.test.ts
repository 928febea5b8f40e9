import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkRepository, formatProblem, loadRepository, resolveKitAction } from './contract.ts';
import type { RecordedAction, Repository } from './contract.ts';

// WORKFLOW_CONTRACT_ROOT points the check at another copy of the repository, e.g. to see it fail.
const root = process.env.WORKFLOW_CONTRACT_ROOT ?? fileURLToPath(new URL('../..', import.meta.url));

describe('workflow contract of this repository', () => {
  const repository = loadRepository(root);

  it('reads the workflows and actions', () => {
    const paths = repository.workflows.map((workflow) => workflow.path);
    for (const path of [
      '.github/workflows/build-image.yml',
      '.github/workflows/deploy-service.yml',
      '.github/workflows/terraform.yml',
      '.github/workflows/ci.yml',
      '.github/workflows/release.yml',
      'examples/quiz-backend/.github/workflows/main.yml',
      'examples/quiz-backend/.github/workflows/release.yml',
    ]) {
      expect(paths).toContain(path);
    }
    expect(Object.keys(repository.actions)).toEqual(expect.arrayContaining(['alb-smoke', 'ecs-deploy-wait', 'ecs-render-taskdef', 'promote-image']));
    expect(repository.actions['promote-image']?.inputs.source).toEqual({ required: true });
  });

  it('has no broken contract', () => {
    expect(checkRepository(repository).map(formatProblem)).toEqual([]);
  });
});

const recorded = JSON.parse(
  readFileSync(fileURLToPath(new URL('./fixtures/third-party-actions.json', import.meta.url)), 'utf8'),
) as Record<string, RecordedAction>;

const calledWorkflow = `name: deploy
on:
  workflow_call:
    inputs:
      image:
        type: string
        required: true
      tags:
        type: string
        default: ''
    outputs:
      image-uri:
        value: \${{ jobs.deploy.outputs.image-uri }}
permissions: {}
jobs:
  deploy:
    runs-on: ubuntu-24.04
    environment: prod
    permissions:
      contents: read
      id-token: write
    outputs:
      image-uri: \${{ steps.promote.outputs.image-uri }}
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          persist-credentials: false
      - uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3
        with:
          role-to-assume: \${{ vars.AWS_ROLE_ARN }}
          aws-region: ap-south-1
      - id: promote
        uses: ./actions/promote-image
        with:
          source: \${{ inputs.image }}
          tags: \${{ inputs.tags || 'prod' }}
`;

const callerWorkflow = `name: caller
on:
  push:
permissions: {}
jobs:
  deploy:
    uses: ./.github/workflows/deploy.yml
    permissions:
      contents: read
      id-token: write
    with:
      image: example.com/app@sha256:0000000000000000000000000000000000000000000000000000000000000000
  report:
    needs: deploy
    runs-on: ubuntu-24.04
    permissions: {}
    steps:
      - env:
          IMAGE: \${{ needs.deploy.outputs.image-uri }}
        run: echo "$IMAGE"
`;

function repositoryWith(deploy: string, caller: string): Repository {
  return {
    workflows: [
      { path: '.github/workflows/deploy.yml', text: deploy },
      { path: '.github/workflows/caller.yml', text: caller },
    ],
    actions: {
      'promote-image': { inputs: { source: { required: true }, tags: { required: true } }, outputs: ['digest', 'image-uri'] },
    },
    recorded,
  };
}

function replaced(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

const buildPushStep = `      - uses: docker/build-push-action@53b7df96c91f9c12dcc8a07bcb9ccacbed38856a # v7.3.0
        with:
          cache-from: type=registry,ref=example
`;

// Each case breaks one rule in one of the two workflows above and names the problem it expects.
const cases: Array<[string, 'deploy' | 'caller', string, string, string]> = [
  ['unknown action input', 'deploy', "tags: ${{ inputs.tags || 'prod' }}", "tag: ${{ inputs.tags || 'prod' }}", 'actions/promote-image declares no input "tag"'],
  ['missing required action input', 'deploy', '          source: ${{ inputs.image }}\n', '', 'the required input "source" of actions/promote-image is missing'],
  ['unknown action output', 'deploy', 'steps.promote.outputs.image-uri', 'steps.promote.outputs.image', 'that action has no output "image"'],
  ['unknown step id', 'deploy', 'steps.promote.outputs.image-uri', 'steps.push.outputs.image-uri', 'the job has no step with id "push"'],
  ['undeclared workflow input', 'deploy', 'source: ${{ inputs.image }}', 'source: ${{ inputs.img }}', 'the workflow declares no input "img"'],
  ['unknown reusable input', 'caller', '      image: example.com', '      imagee: example.com', '.github/workflows/deploy.yml declares no input "imagee"'],
  ['missing reusable input', 'caller', '      image: example.com', '      tags: example.com', 'the required input "image" of .github/workflows/deploy.yml is missing'],
  ['unknown needs output', 'caller', 'needs.deploy.outputs.image-uri', 'needs.deploy.outputs.digest', 'job "deploy" has no output "digest"'],
  ['needs output of unneeded job', 'caller', '    needs: deploy\n', '', 'the job does not need "deploy"'],
  ['workflow output of missing job output', 'deploy', 'jobs.deploy.outputs.image-uri', 'jobs.deploy.outputs.uri', 'job "deploy" has no output "uri"'],
  ['action pinned by tag', 'deploy', 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1', 'actions/checkout@v7', 'actions/checkout@v7 is not pinned by a full commit SHA'],
  ['pin without version comment', 'deploy', '3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1', '3d3c42e5aac5ba805825da76410c181273ba90b1', 'needs a version comment'],
  ['version comment of another release', 'deploy', '# v7.0.1', '# v6.0.0', 'the comment says v6.0.0, but 3d3c42e5aac5ba805825da76410c181273ba90b1 is actions/checkout v7.0.1'],
  ['pin that differs from the record', 'deploy', '3d3c42e5aac5ba805825da76410c181273ba90b1', '1111111111111111111111111111111111111111', 'update the record from the action.yml'],
  ['unknown third-party input', 'deploy', '          aws-region: ap-south-1', '          region: ap-south-1', 'aws-actions/configure-aws-credentials@v6.2.3 declares no input "region"'],
  ['missing third-party required input', 'deploy', '          aws-region: ap-south-1\n', '', 'the required input "aws-region" of aws-actions/configure-aws-credentials@v6.2.3 is missing'],
  ['checkout keeping credentials', 'deploy', 'persist-credentials: false', 'persist-credentials: true', 'must set persist-credentials: false'],
  ['interpolation in run', 'caller', 'run: echo "$IMAGE"', 'run: echo "${{ needs.deploy.outputs.image-uri }}"', 'a run script interpolates ${{ }}'],
  ['pull_request_target trigger', 'caller', '  push:\n', '  pull_request_target:\n', 'pull_request_target runs with the base repository'],
  ['workflow permissions not empty', 'caller', 'permissions: {}\njobs:', 'permissions: write-all\njobs:', 'the workflow must set "permissions: {}"'],
  ['job without permissions', 'caller', '    permissions: {}\n    steps:', '    steps:', 'the job must list its permissions'],
  ['id-token without a role', 'caller', '    permissions: {}\n    steps:', '    permissions:\n      id-token: write\n    steps:', 'no step assumes a role'],
  ['caller not granting id-token', 'caller', '      contents: read\n      id-token: write\n', '      contents: read\n', 'the calling job must grant id-token: write'],
  ['secrets inherited', 'caller', '    with:\n      image', '    secrets: inherit\n    with:\n      image', 'pass each secret by name instead of "inherit"'],
  ['cache in a deploy job', 'deploy', '      - id: promote\n', `${buildPushStep}      - id: promote\n`, 'a deploy job restores a cache'],
];

describe('workflow contract checks', () => {
  it('accept the valid fixture', () => {
    expect(checkRepository(repositoryWith(calledWorkflow, callerWorkflow)).map(formatProblem)).toEqual([]);
  });

  const listingSteps = `      - id: files
        run: |
          {
            echo "list<<EOF"
            ls
            echo "EOF"
          } >> "$GITHUB_OUTPUT"
      - env:
          FILES: \${{ steps.files.outputs.list }}
        run: echo "$FILES"
`;

  it('accept a multi-line run output', () => {
    const caller = `${callerWorkflow}${listingSteps}`;
    expect(checkRepository(repositoryWith(calledWorkflow, caller)).map(formatProblem)).toEqual([]);
  });

  it('report a run output never written', () => {
    const caller = `${callerWorkflow}${replaced(listingSteps, 'echo "list<<EOF"', 'echo "EOF"')}`;
    const problems = checkRepository(repositoryWith(calledWorkflow, caller)).map(formatProblem);
    expect(problems.join('\n')).toContain('that step never writes "list=" or "list<<" to GITHUB_OUTPUT');
  });

  it.each(cases)('report %s', (_name, file, from, to, expected) => {
    const repository =
      file === 'deploy'
        ? repositoryWith(replaced(calledWorkflow, from, to), callerWorkflow)
        : repositoryWith(calledWorkflow, replaced(callerWorkflow, from, to));

    const problems = checkRepository(repository).map(formatProblem);

    expect(problems.join('\n')).toContain(expected);
  });

  it('report a workflow that is not YAML', () => {
    const problems = checkRepository(repositoryWith(calledWorkflow, 'jobs: [unclosed')).map(formatProblem);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('.github/workflows/caller.yml (file): is not valid YAML');
  });
});

describe('resolveKitAction', () => {
  it.each([
    ['./actions/promote-image', 'promote-image'],
    ['./.ecs-deploy-kit/actions/alb-smoke', 'alb-smoke'],
    ['avantifellows/ecs-deploy-kit/actions/ecs-deploy-wait@0123456789012345678901234567890123456789', 'ecs-deploy-wait'],
    ['actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1', undefined],
    ['./.github/actions/other', undefined],
  ])('resolve %s', (uses, expected) => {
    expect(resolveKitAction(uses)).toBe(expected);
  });
});
