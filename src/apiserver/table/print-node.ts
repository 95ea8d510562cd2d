// Node rows, mirroring printNode in pkg/printers/internalversion/printers.go.
import type { KubeObject } from '../../api/meta.ts';
import { AGE, NAME, col, wide } from './columns.ts';
import { since } from './human-duration.ts';
import type { Printer } from './types.ts';

interface Node extends KubeObject {
  spec?: { unschedulable?: boolean };
  status?: {
    conditions?: Array<{ type?: string; status?: string }>;
    addresses?: Array<{ type?: string; address?: string }>;
    nodeInfo?: { kubeletVersion?: string; osImage?: string; kernelVersion?: string; containerRuntimeVersion?: string };
  };
}

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** Roles from node-role.kubernetes.io/<role> keys and the kubernetes.io/role value, sorted. */
export function nodeRoles(labels: Record<string, string> | undefined): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === ROLE_LABEL && v !== '') roles.add(v);
  }
  return [...roles].sort();
}

/** "Ready", "NotReady", "Unknown", with ",SchedulingDisabled" for cordoned nodes. */
export function nodeStatus(node: Node): string {
  // Only the last Ready condition counts, as upstream keys conditions by type.
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').at(-1);
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

function address(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

export const nodePrinter: Printer = {
  columns: [
    NAME,
    col('Status', 'string', 'Readiness of the node, and whether scheduling is disabled.'),
    col('Roles', 'string', 'Roles taken from the node\'s role labels.'),
    AGE,
    col('Version', 'string', 'Kubelet version the node reports.'),
    wide('Internal-IP', 'string', 'First internal address of the node.'),
    wide('External-IP', 'string', 'First external address of the node.'),
    wide('OS-Image', 'string', 'Operating system the node reports.'),
    wide('Kernel-Version', 'string', 'Kernel version the node reports.'),
    wide('Container-Runtime', 'string', 'Container runtime and version the node reports.'),
  ],
  cells(obj, now) {
    const node = obj as Node;
    const info = node.status?.nodeInfo ?? {};
    const roles = nodeRoles(node.metadata.labels).join(',');
    return [
      node.metadata.name ?? '', nodeStatus(node), roles || '<none>', since(node.metadata.creationTimestamp, now),
      info.kubeletVersion ?? '', address(node, 'InternalIP'), address(node, 'ExternalIP'),
      info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>',
    ];
  },
};
