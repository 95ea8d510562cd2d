// Matching a failed pod against a Job's podFailurePolicy (pkg/controller/job/pod_failure_policy.go):
// the first rule that matches decides; FailJob ends the Job with a message naming the container or
// condition, Ignore keeps the failure out of backoffLimit, Count counts it, FailIndex fails the
// pod's index (with backoffLimitPerIndex).
import type { PodFailurePolicy, PodFailurePolicyAction, PodFailurePolicyOnExitCodesRequirement } from '../../api/types/batch-v1.ts';
import type { ContainerStatus, Pod } from '../../api/types/core-v1.ts';

export interface PolicyMatch {
  /** Set when a FailJob rule matched: the Job's failure message. */
  failJobMessage: string | undefined;
  /** Whether the failure counts towards backoffLimit (and backoffLimitPerIndex). */
  countFailed: boolean;
  action: PodFailurePolicyAction | undefined;
}

const NO_MATCH: PolicyMatch = { failJobMessage: undefined, countFailed: true, action: undefined };

function exitCodeMatches(code: number, req: PodFailurePolicyOnExitCodesRequirement): boolean {
  if (req.operator === 'In') return req.values.includes(code);
  if (req.operator === 'NotIn') return !req.values.includes(code);
  return false;
}

/** The first terminated, non-zero container matching the requirement: app containers, then init containers. */
function matchingContainer(pod: Pod, req: PodFailurePolicyOnExitCodesRequirement): ContainerStatus | undefined {
  for (const list of [pod.status?.containerStatuses, pod.status?.initContainerStatuses]) {
    for (const cs of list ?? []) {
      const t = cs.state?.terminated;
      if (!t) continue;
      if (req.containerName !== undefined && req.containerName !== '' && req.containerName !== cs.name) continue;
      if (t.exitCode !== 0 && exitCodeMatches(t.exitCode, req)) return cs;
    }
  }
  return undefined;
}

export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: Pod): PolicyMatch {
  if (!policy) return NO_MATCH;
  const ns = pod.metadata.namespace ?? '';
  const name = pod.metadata.name ?? '';
  for (const [index, rule] of policy.rules.entries()) {
    let described: string | undefined;
    if (rule.onExitCodes) {
      const cs = matchingContainer(pod, rule.onExitCodes);
      if (cs) described = `Container ${cs.name} for pod ${ns}/${name} failed with exit code ${cs.state?.terminated?.exitCode} matching ${rule.action} rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const cond = pod.status?.conditions?.find((c) => rule.onPodConditions!.some((p) => p.type === c.type && (p.status ?? 'True') === c.status));
      if (cond) described = `Pod ${ns}/${name} has condition ${cond.type} matching ${rule.action} rule at index ${index}`;
    }
    if (described === undefined) continue;
    switch (rule.action) {
      case 'Ignore': return { failJobMessage: undefined, countFailed: false, action: 'Ignore' };
      case 'Count': return { failJobMessage: undefined, countFailed: true, action: 'Count' };
      case 'FailIndex': return { failJobMessage: undefined, countFailed: true, action: 'FailIndex' };
      case 'FailJob': return { failJobMessage: described, countFailed: true, action: 'FailJob' };
      default: continue;
    }
  }
  return NO_MATCH;
}
