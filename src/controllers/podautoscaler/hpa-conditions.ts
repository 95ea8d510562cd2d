// HPA status conditions as horizontal.go's setCondition/setConditionInList: one condition per
// type, lastTransitionTime moves only when the status changes.
import type { ConditionStatus, HPACondition, HorizontalPodAutoscaler } from './hpa-types.ts';

/** metav1.Time: RFC 3339 in whole seconds. */
export const metaNow = (ms: number = Date.now()): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

export function setCondition(hpa: HorizontalPodAutoscaler, type: HPACondition['type'], status: ConditionStatus, reason: string, message: string, nowMs: number = Date.now()): void {
  const st = hpa.status ?? { desiredReplicas: 0 };
  hpa.status = st;
  const list = st.conditions ?? [];
  st.conditions = list;
  let cond = list.find((c) => c.type === type);
  if (!cond) {
    cond = { type, status: 'Unknown' };
    list.push(cond);
    cond.lastTransitionTime = metaNow(nowMs);
  } else if (cond.status !== status) {
    cond.lastTransitionTime = metaNow(nowMs);
  }
  cond.status = status;
  cond.reason = reason;
  cond.message = message;
}

export function getCondition(hpa: HorizontalPodAutoscaler, type: HPACondition['type']): HPACondition | undefined {
  return hpa.status?.conditions?.find((c) => c.type === type);
}
