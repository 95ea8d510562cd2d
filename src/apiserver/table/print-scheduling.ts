// PriorityClass rows (NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY), mirroring printPriorityClass in
// pkg/printers/internalversion/printers.go.
import type { KubeObject } from '../../api/meta.ts';
import { AGE, NAME, col } from './columns.ts';
import { since } from './human-duration.ts';
import type { Printer } from './types.ts';

export const priorityClassPrinter: Printer = {
  columns: [
    NAME,
    col('Value', 'integer', 'The priority pods of this class get.'),
    col('Global-Default', 'boolean', 'Whether pods without a priorityClassName get this class.'),
    AGE,
    col('PreemptionPolicy', 'string', 'Whether pods of this class may preempt lower-priority pods.'),
  ],
  cells: (obj: KubeObject, now) => [
    obj.metadata.name ?? '', typeof obj.value === 'number' ? obj.value : 0, obj.globalDefault === true,
    since(obj.metadata.creationTimestamp, now), typeof obj.preemptionPolicy === 'string' ? obj.preemptionPolicy : '',
  ],
};
