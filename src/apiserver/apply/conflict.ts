// The 409 an apply gets when it would change fields other managers own, as upstream's
// managedfields/internal/conflict.go (NewConflictError, getConflictMessage, printManager).
import { StatusError, newStatus } from '../../api/errors.ts';
import type { StatusCause } from '../../api/meta.ts';
import type { ManagerEntry } from './managed-fields.ts';
import { describePath, type Path } from './path-element.ts';

export interface Conflict { id: string; manager: ManagerEntry; path: Path }

function printManager(m: ManagerEntry): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  // Update identifiers carry no time, so upstream never prints the "at <time>" form here.
  return m.operation === 'Update' ? `${s} using ${m.apiVersion}` : s;
}

/** Conflicts must be grouped by manager id in sorted order, paths in field-set order. */
export function conflictError(conflicts: readonly Conflict[]): StatusError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: describePath(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    message = `Apply failed with 1 conflict: conflict with ${printManager(c.manager)}: ${describePath(c.path)}`;
  } else {
    const lines: string[] = [];
    let last: string | undefined;
    for (const c of conflicts) {
      if (c.id !== last) lines.push(`conflicts with ${printManager(c.manager)}:`);
      last = c.id;
      lines.push(`- ${describePath(c.path)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(newStatus(409, 'Conflict', message, { causes }));
}
