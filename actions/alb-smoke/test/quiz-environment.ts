import { ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { createTestingEnvironment, waitForSteadyState as waitForServiceSteadyState } from '@ecs-deploy-kit/emulator';

export { roundRobinOfRunningTasks, startServiceStandIn as startStandIn } from '@ecs-deploy-kit/emulator';
export type { StandIn } from '@ecs-deploy-kit/emulator';

/** Names of the quiz-backend testing environment the end-to-end tests create in the emulator. */
export const QUIZ = { cluster: 'quiz-backend-testing', service: 'quiz-backend-testing', container: 'quiz-backend' };
export const IMAGE = '123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend';

function clientConfig(endpoint: string) {
  return { endpoint, region: 'ap-south-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
}

function revisionInput(tag: string): RegisterTaskDefinitionCommandInput {
  return {
    family: QUIZ.service,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    containerDefinitions: [{ name: QUIZ.container, image: `${IMAGE}:${tag}`, essential: true, portMappings: [{ containerPort: 8000 }] }],
  };
}

export async function registerRevision(endpoint: string, tag: string): Promise<string> {
  const ecs = new ECSClient(clientConfig(endpoint));
  const registered = await ecs.send(new RegisterTaskDefinitionCommand(revisionInput(tag)));
  ecs.destroy();
  return registered.taskDefinition?.taskDefinitionArn as string;
}

/** Creates the quiz-backend testing environment running `tag` with `desiredCount` tasks and returns its target group ARN. */
export async function createQuizService(endpoint: string, tag: string, desiredCount: number): Promise<string> {
  const created = await createTestingEnvironment({ endpoint, region: 'ap-south-1' }, `${IMAGE}:${tag}`, {
    taskDefinition: revisionInput(tag),
    desiredCount,
  });
  return created.targetGroupArn;
}

/** Starts a rolling deployment of `tag` and returns without waiting for it. */
export async function deployRevision(endpoint: string, tag: string): Promise<string> {
  const taskDefinition = await registerRevision(endpoint, tag);
  const ecs = new ECSClient(clientConfig(endpoint));
  await ecs.send(new UpdateServiceCommand({ cluster: QUIZ.cluster, service: QUIZ.service, taskDefinition }));
  ecs.destroy();
  return taskDefinition;
}

/** Waits until the service has one deployment and it is COMPLETED. */
export async function waitForSteadyState(endpoint: string, timeoutMs = 60_000): Promise<void> {
  await waitForServiceSteadyState({ endpoint, region: 'ap-south-1' }, timeoutMs);
}
