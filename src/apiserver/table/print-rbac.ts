// RoleBinding and ClusterRoleBinding rows (pkg/printers/internalversion/printers.go
// printRoleBinding, printClusterRoleBinding): NAME ROLE AGE, and with -o wide USERS GROUPS SERVICEACCOUNTS.
// Roles and ClusterRoles use the default NAME / CREATED AT columns, as upstream.
import type { KubeObject } from '../../api/meta.ts';
import type { RoleBinding } from '../../api/types/rbac-v1.ts';
import { AGE, NAME, col, wide } from './columns.ts';
import { since } from './human-duration.ts';
import type { Printer } from './types.ts';

function subjectsOf(b: RoleBinding, namespace: string): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of b.subjects ?? []) {
    if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
    else if (s.kind === 'ServiceAccount') sas.push(`${s.namespace || namespace}/${s.name}`);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

export const bindingPrinter: Printer = {
  columns: [
    NAME,
    col('Role', 'string', 'The Role or ClusterRole granted, as Kind/name.'),
    AGE,
    wide('Users', 'string', 'Users the role is granted to.'),
    wide('Groups', 'string', 'Groups the role is granted to.'),
    wide('ServiceAccounts', 'string', 'Service accounts the role is granted to, as namespace/name.'),
  ],
  cells(obj: KubeObject, now: number) {
    const b = obj as RoleBinding;
    return [b.metadata.name ?? '', `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`, since(b.metadata.creationTimestamp, now),
      ...subjectsOf(b, b.metadata.namespace ?? '')];
  },
};
