import { DescribeServicesCommand, ListClustersCommand, ListServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { Deployment, ECSClient, Service, UpdateServiceCommandInput } from '@aws-sdk/client-ecs';
import { ActionError, explainAwsError } from '@ecs-deploy-kit/shared';

/** Location of the service. Every message about a missing resource names all three parts. */
export interface ServiceLocation {
  cluster: string;
  service: string;
  region: string;
}

/** Returns the last part of an ARN (`…/cluster/NAME` → `NAME`), or the value itself when it is a name. */
export function resourceName(value: string): string {
  return value.startsWith('arn:') ? (value.split('/').pop() ?? value) : value;
}

/**
 * Describes the service, failing with the services (or clusters) that do exist when it is
 * missing or was deleted.
 */
export async function describeService(ecs: ECSClient, location: ServiceLocation): Promise<Service> {
  const service = await findService(ecs, location);
  if (service) return service;
  throw new ActionError(await missingServiceMessage(ecs, location));
}

/** Describes the service, returning undefined when it is missing or INACTIVE (deleted). */
export async function findService(ecs: ECSClient, location: ServiceLocation): Promise<Service | undefined> {
  let services: Service[];
  try {
    const response = await ecs.send(new DescribeServicesCommand({ cluster: location.cluster, services: [location.service] }));
    services = response.services ?? [];
  } catch (error) {
    if (errorName(error) === 'ClusterNotFoundException') throw new ActionError(await missingClusterMessage(ecs, location));
    throw explainAwsError(error, 'DescribeServices');
  }
  return services.find((service) => service.status !== 'INACTIVE');
}

/** Fields of UpdateService the user asked to set; anything left undefined is not sent. */
export interface UpdateOptions {
  desiredCount?: number;
  forceNewDeployment?: boolean;
}

/**
 * Points the service at the task definition and returns the deployment that UpdateService
 * started. Only cluster, service, taskDefinition and the fields the user set are sent, so
 * settings managed elsewhere (desired count under autoscaling, network, load balancers, tag
 * propagation, volume configurations) stay as they are.
 */
export async function updateService(
  ecs: ECSClient,
  location: ServiceLocation,
  taskDefinitionArn: string,
  options: UpdateOptions = {},
): Promise<{ service: Service; deployment: Deployment }> {
  let service: Service | undefined;
  const request: UpdateServiceCommandInput = { cluster: location.cluster, service: location.service, taskDefinition: taskDefinitionArn };
  if (options.desiredCount !== undefined) request.desiredCount = options.desiredCount;
  if (options.forceNewDeployment) request.forceNewDeployment = true;
  try {
    const response = await ecs.send(new UpdateServiceCommand(request));
    service = response.service;
  } catch (error) {
    const name = errorName(error);
    if (name === 'ClusterNotFoundException') throw new ActionError(await missingClusterMessage(ecs, location));
    if (name === 'ServiceNotFoundException' || name === 'ServiceNotActiveException') throw new ActionError(await missingServiceMessage(ecs, location));
    const explained = explainAwsError(error, 'UpdateService');
    if (explained !== error) throw explained;
    throw new ActionError(`UpdateService failed for service "${location.service}" in cluster "${location.cluster}": ${(error as Error).message}`, { cause: error });
  }

  const deployments = service?.deployments ?? [];
  // ECS puts the deployment it just started first, as PRIMARY with the new task definition. When
  // the service already ran this revision, ECS starts no new deployment and the PRIMARY one is
  // the one to follow.
  const deployment =
    deployments.find((candidate) => candidate.status === 'PRIMARY' && candidate.taskDefinition === taskDefinitionArn) ??
    deployments.find((candidate) => candidate.taskDefinition === taskDefinitionArn);
  if (!service || !deployment?.id) {
    throw new ActionError(
      `UpdateService returned no deployment of ${taskDefinitionArn} for service "${location.service}" in cluster "${location.cluster}". ` +
        'Check the service in the ECS console; its deployment controller may not be ECS.',
    );
  }
  return { service, deployment };
}

async function missingServiceMessage(ecs: ECSClient, location: ServiceLocation): Promise<string> {
  const names: string[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListServicesCommand({ cluster: location.cluster, nextToken }));
      names.push(...(page.serviceArns ?? []).map(resourceName));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw explainAwsError(error, 'ListServices');
  }
  return (
    `Service "${location.service}" not found in cluster "${resourceName(location.cluster)}" (${location.region}). ` +
    `Services in this cluster: ${names.length > 0 ? names.sort().join(', ') : 'none'}.`
  );
}

async function missingClusterMessage(ecs: ECSClient, location: ServiceLocation): Promise<string> {
  const names: string[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListClustersCommand({ nextToken }));
      names.push(...(page.clusterArns ?? []).map(resourceName));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw explainAwsError(error, 'ListClusters');
  }
  return (
    `Cluster "${location.cluster}" not found in ${location.region}. ` +
    `Clusters in this region: ${names.length > 0 ? names.sort().join(', ') : 'none'}. Check the cluster input and the AWS region.`
  );
}

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '';
}
