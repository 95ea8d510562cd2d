// The message of a failed scheduling attempt (pkg/scheduler/framework/types.go FitError.Error):
// "0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector."
import type { FilterStatus } from './types.ts';

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export class FitError extends Error {
  readonly code = 'FitError';
  readonly numAllNodes: number;
  /** node name → why it was rejected */
  readonly statuses: ReadonlyMap<string, FilterStatus>;

  constructor(numAllNodes: number, statuses: ReadonlyMap<string, FilterStatus>) {
    super(fitErrorMessage(numAllNodes, statuses));
    this.name = 'FitError';
    this.numAllNodes = numAllNodes;
    this.statuses = statuses;
  }

  /** Plugins that rejected at least one node. */
  get plugins(): Set<string> {
    return new Set([...this.statuses.values()].map((s) => s.plugin));
  }
}

export function fitErrorMessage(numAllNodes: number, statuses: ReadonlyMap<string, FilterStatus>): string {
  if (numAllNodes === 0) return NO_NODES_AVAILABLE;
  const histogram = new Map<string, number>();
  for (const st of statuses.values()) for (const r of st.reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
  // Go's sort.Strings over "COUNT REASON": byte order, counts included.
  const reasons = [...histogram].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `0/${numAllNodes} nodes are available: ${reasons.join(', ')}.`;
}
