import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Service } from '@aws-sdk/client-ecs';
import { errorMessage, explainAwsError } from '@ecs-deploy-kit/shared';
import type { Logger } from '@ecs-deploy-kit/shared';

/** One registered target of a target group and its health, as DescribeTargetHealth returns it. */
export interface TargetHealthRow {
  targetGroupArn: string;
  target: string;
  state: string;
  /** Reason code such as `Target.ResponseCodeMismatch`, with ELB's description when it gives one. */
  reason: string;
}

/**
 * Describes the health of every target in the service's target groups, for the failure report.
 * A failed call is logged as a warning and skipped, because the report is still useful without
 * this section and the role may lack elasticloadbalancing:DescribeTargetHealth.
 */
export async function describeTargetHealth(elbv2: ElasticLoadBalancingV2Client, service: Service | undefined, logger: Logger): Promise<TargetHealthRow[]> {
  const targetGroupArns = [...new Set((service?.loadBalancers ?? []).map((balancer) => balancer.targetGroupArn).filter((arn): arn is string => !!arn))];
  const rows: TargetHealthRow[] = [];

  for (const targetGroupArn of targetGroupArns) {
    try {
      const response = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
      for (const description of response.TargetHealthDescriptions ?? []) {
        const health = description.TargetHealth;
        const reason = [health?.Reason, health?.Description].filter(Boolean).join(': ');
        rows.push({
          targetGroupArn,
          target: `${description.Target?.Id ?? '?'}:${description.Target?.Port ?? '?'}`,
          state: health?.State ?? 'unknown',
          reason,
        });
      }
    } catch (error) {
      logger.warning(`Could not describe the target health of ${targetGroupArn} for the report: ${errorMessage(explainAwsError(error, 'DescribeTargetHealth'))}`);
    }
  }
  return rows;
}

/** Returns the last part of a target group ARN, `targetgroup/NAME/ID` → `NAME`. */
export function targetGroupName(arn: string): string {
  return /targetgroup\/([^/]+)/.exec(arn)?.[1] ?? arn;
}
