import { DescribeScalingActivitiesCommand } from '@aws-sdk/client-application-auto-scaling';
import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { errorMessage, explainAwsError } from '@ecs-deploy-kit/shared';
import type { Logger } from '@ecs-deploy-kit/shared';

import type { AwsTargets } from './inputs.ts';

/** One server-side metric over the test window. */
export interface MetricSeries {
  /** GetMetricData query id, e.g. `alb_requests`. */
  id: string;
  label: string;
  namespace: string;
  metric: string;
  /** CloudWatch statistic: Sum, Average, Maximum or a percentile such as p99. */
  stat: string;
  unit: string;
  /** One value per period, oldest first. */
  timestamps: string[];
  values: number[];
}

export interface TimelineEntry {
  time: string;
  source: 'auto-scaling' | 'ecs-service';
  message: string;
}

/** Server-side evidence of the test window; `problems` lists what could not be fetched. */
export interface Evidence {
  window: { start: string; end: string; periodSeconds: number };
  metrics: MetricSeries[];
  timeline: TimelineEntry[];
  problems: string[];
}

export interface EvidenceClients {
  cloudWatch: CloudWatchClient;
  ecs?: ECSClient;
  autoScaling?: ApplicationAutoScalingClient;
}

interface QuerySpec {
  id: string;
  label: string;
  namespace: string;
  metric: string;
  stat: string;
  unit: string;
  dimensions: Array<{ Name: string; Value: string }>;
}

// ALB and ECS publish one-minute metrics, so a shorter period returns nothing more.
const PERIOD_SECONDS = 60;

/** Lists the metrics to fetch for the identifiers given; empty when none is given. */
export function metricQueries(targets: AwsTargets): QuerySpec[] {
  const specs: QuerySpec[] = [];
  if (targets.loadBalancer) {
    const lb = [{ Name: 'LoadBalancer', Value: targets.loadBalancer }];
    const tg = targets.targetGroup ? [{ Name: 'TargetGroup', Value: targets.targetGroup }, ...lb] : lb;
    specs.push(
      { id: 'alb_requests', label: 'ALB requests', namespace: 'AWS/ApplicationELB', metric: 'RequestCount', stat: 'Sum', unit: 'count', dimensions: tg },
      { id: 'alb_target_time_p99', label: 'Target response time p99', namespace: 'AWS/ApplicationELB', metric: 'TargetResponseTime', stat: 'p99', unit: 's', dimensions: tg },
      { id: 'alb_target_time_avg', label: 'Target response time avg', namespace: 'AWS/ApplicationELB', metric: 'TargetResponseTime', stat: 'Average', unit: 's', dimensions: tg },
      { id: 'alb_target_5xx', label: 'Target 5xx', namespace: 'AWS/ApplicationELB', metric: 'HTTPCode_Target_5XX_Count', stat: 'Sum', unit: 'count', dimensions: tg },
      { id: 'alb_elb_5xx', label: 'ELB 5xx', namespace: 'AWS/ApplicationELB', metric: 'HTTPCode_ELB_5XX_Count', stat: 'Sum', unit: 'count', dimensions: lb },
      { id: 'alb_connection_errors', label: 'Target connection errors', namespace: 'AWS/ApplicationELB', metric: 'TargetConnectionErrorCount', stat: 'Sum', unit: 'count', dimensions: tg },
    );
  }
  if (targets.cluster && targets.service) {
    const service = [
      { Name: 'ClusterName', Value: targets.cluster },
      { Name: 'ServiceName', Value: targets.service },
    ];
    specs.push(
      { id: 'ecs_cpu', label: 'ECS CPU', namespace: 'AWS/ECS', metric: 'CPUUtilization', stat: 'Maximum', unit: '%', dimensions: service },
      { id: 'ecs_memory', label: 'ECS memory', namespace: 'AWS/ECS', metric: 'MemoryUtilization', stat: 'Maximum', unit: '%', dimensions: service },
      // RunningTaskCount exists only when Container Insights is on for the cluster.
      { id: 'ecs_running_tasks', label: 'Running tasks', namespace: 'ECS/ContainerInsights', metric: 'RunningTaskCount', stat: 'Average', unit: 'count', dimensions: service },
    );
  }
  if (targets.functionName) {
    const fn = [{ Name: 'FunctionName', Value: targets.functionName }];
    specs.push(
      { id: 'lambda_duration_p99', label: 'Lambda duration p99', namespace: 'AWS/Lambda', metric: 'Duration', stat: 'p99', unit: 'ms', dimensions: fn },
      { id: 'lambda_errors', label: 'Lambda errors', namespace: 'AWS/Lambda', metric: 'Errors', stat: 'Sum', unit: 'count', dimensions: fn },
      { id: 'lambda_throttles', label: 'Lambda throttles', namespace: 'AWS/Lambda', metric: 'Throttles', stat: 'Sum', unit: 'count', dimensions: fn },
      { id: 'lambda_concurrency', label: 'Lambda concurrency', namespace: 'AWS/Lambda', metric: 'ConcurrentExecutions', stat: 'Maximum', unit: 'count', dimensions: fn },
    );
  }
  return specs;
}

/**
 * Fetches every metric of the window in one GetMetricData call, then the Application Auto
 * Scaling activities and ECS service events of the window. A failed call is listed in
 * `problems` and logged as a warning: evidence explains a verdict, it does not decide it.
 */
export async function collectEvidence(targets: AwsTargets, window: { start: Date; end: Date }, clients: EvidenceClients, logger: Logger): Promise<Evidence | undefined> {
  const specs = metricQueries(targets);
  if (specs.length === 0) return undefined;

  // Widen to whole periods so the minutes at both edges of the test are included.
  const periodMs = PERIOD_SECONDS * 1000;
  const start = new Date(Math.floor(window.start.getTime() / periodMs) * periodMs);
  const end = new Date(Math.ceil(window.end.getTime() / periodMs) * periodMs + periodMs);
  const evidence: Evidence = { window: { start: start.toISOString(), end: end.toISOString(), periodSeconds: PERIOD_SECONDS }, metrics: [], timeline: [], problems: [] };

  try {
    evidence.metrics = await fetchMetrics(specs, start, end, clients.cloudWatch);
    logger.info(`Fetched ${evidence.metrics.length} CloudWatch metrics for ${start.toISOString()} to ${end.toISOString()}.`);
  } catch (error) {
    noteProblem(evidence, logger, 'GetMetricData', error);
  }

  if (targets.cluster && targets.service && clients.autoScaling) {
    try {
      evidence.timeline.push(...(await fetchScalingActivities(targets.cluster, targets.service, start, end, clients.autoScaling)));
    } catch (error) {
      noteProblem(evidence, logger, 'DescribeScalingActivities', error);
    }
  }
  if (targets.cluster && targets.service && clients.ecs) {
    try {
      evidence.timeline.push(...(await fetchServiceEvents(targets.cluster, targets.service, start, end, clients.ecs)));
    } catch (error) {
      noteProblem(evidence, logger, 'DescribeServices', error);
    }
  }
  evidence.timeline.sort((a, b) => a.time.localeCompare(b.time));
  return evidence;
}

function noteProblem(evidence: Evidence, logger: Logger, operation: string, error: unknown): void {
  const message = `${operation} failed, so the report lacks that evidence: ${errorMessage(explainAwsError(error, operation))}`;
  evidence.problems.push(message);
  logger.warning(message);
}

async function fetchMetrics(specs: QuerySpec[], start: Date, end: Date, client: CloudWatchClient): Promise<MetricSeries[]> {
  const queries: MetricDataQuery[] = specs.map((spec) => ({
    Id: spec.id,
    Label: spec.label,
    MetricStat: { Metric: { Namespace: spec.namespace, MetricName: spec.metric, Dimensions: spec.dimensions }, Period: PERIOD_SECONDS, Stat: spec.stat },
    ReturnData: true,
  }));
  const values = new Map<string, Map<string, number>>();
  let nextToken: string | undefined;
  // GetMetricData returns a NextToken when the response exceeds one page. A load test's window
  // of a few periods fits in one page, so the loop normally runs once.
  do {
    const response = await client.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end, ScanBy: 'TimestampAscending', NextToken: nextToken }));
    for (const result of response.MetricDataResults ?? []) {
      const series = values.get(result.Id ?? '') ?? new Map<string, number>();
      (result.Timestamps ?? []).forEach((timestamp, index) => series.set(new Date(timestamp).toISOString(), result.Values?.[index] ?? 0));
      values.set(result.Id ?? '', series);
    }
    nextToken = response.NextToken;
  } while (nextToken);

  return specs.map((spec) => {
    const points = [...(values.get(spec.id) ?? new Map<string, number>()).entries()].sort(([a], [b]) => a.localeCompare(b));
    return {
      id: spec.id,
      label: spec.label,
      namespace: spec.namespace,
      metric: spec.metric,
      stat: spec.stat,
      unit: spec.unit,
      timestamps: points.map(([time]) => time),
      values: points.map(([, value]) => value),
    };
  });
}

async function fetchScalingActivities(cluster: string, service: string, start: Date, end: Date, client: ApplicationAutoScalingClient): Promise<TimelineEntry[]> {
  const response = await client.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: `service/${cluster}/${service}`, ScalableDimension: 'ecs:service:DesiredCount' }));
  return (response.ScalingActivities ?? [])
    .filter((activity) => activity.StartTime !== undefined && activity.StartTime >= start && activity.StartTime <= end)
    .map((activity) => ({
      time: (activity.StartTime as Date).toISOString(),
      source: 'auto-scaling' as const,
      message: `${activity.Description ?? 'Scaling activity'} (${activity.StatusCode ?? 'unknown status'})`,
    }));
}

async function fetchServiceEvents(cluster: string, service: string, start: Date, end: Date, client: ECSClient): Promise<TimelineEntry[]> {
  const response = await client.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const found = response.services?.[0];
  if (!found) throw new Error(`Service "${service}" not found in cluster "${cluster}".`);
  return (found.events ?? [])
    .filter((event) => event.createdAt !== undefined && event.createdAt >= start && event.createdAt <= end)
    .map((event) => ({ time: (event.createdAt as Date).toISOString(), source: 'ecs-service' as const, message: event.message ?? '' }));
}

/** Reduces a series to one number for the table: the total for Sum, else the largest value. */
export function seriesTotal(series: MetricSeries): number | undefined {
  if (series.values.length === 0) return undefined;
  if (series.stat === 'Sum') return series.values.reduce((sum, value) => sum + value, 0);
  return Math.max(...series.values);
}
