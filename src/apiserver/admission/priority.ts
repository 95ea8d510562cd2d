// Priority (plugin/pkg/admission/priority/admission.go): a new pod's spec.priority and
// spec.preemptionPolicy come from its PriorityClass, or from the global default class, or are 0 and
// PreemptLowerPriority; a class that does not exist, or a priority the client set that disagrees,
// is refused. At most one class is the global default. The system classes cannot be deleted
// (pkg/registry/scheduling/priorityclass/storage/storage.go, which skiff enforces here).
import { newStatus, StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS, SYSTEM_PRIORITY_CLASSES, type PreemptionPolicy, type PriorityClass } from '../../api/types/scheduling-v1.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

interface PodPriorityFields { priorityClassName?: string; priority?: number; preemptionPolicy?: PreemptionPolicy }

/** admission.NewForbidden: named by the object's name, or its generateName before one is made. */
function forbiddenFor(a: AdmissionAttributes, message: string): StatusError {
  const meta = a.object?.metadata;
  const name = a.operation === 'CREATE' && meta?.generateName ? meta.generateName : a.name;
  const gr = a.info.group ? `${a.info.resource}.${a.info.group}` : a.info.resource;
  return new StatusError(newStatus(403, 'Forbidden', `${gr} "${name}" is forbidden: ${message}`, { name, group: a.info.group, kind: a.info.resource }));
}

/** The global default class; if a race left several, the one with the lowest value (getDefaultPriorityClass). */
export function defaultPriorityClass(classes: readonly PriorityClass[]): PriorityClass | undefined {
  let found: PriorityClass | undefined;
  for (const pc of classes) {
    if (pc.globalDefault === true && (!found || found.value > pc.value)) found = pc;
  }
  return found;
}

/**
 * `listPriorityClasses(false)` may lag behind writes (an informer lister's view, as upstream reads);
 * `(true)` waits until it includes every write so far, for a class a pod names but the lagging view lacks.
 */
export function priorityAdmission(listPriorityClasses: (fresh: boolean) => Promise<KubeObject[]>): AdmissionPlugin {
  const classes = async (fresh = false): Promise<PriorityClass[]> => (await listPriorityClasses(fresh)) as PriorityClass[];
  const find = async (name: string): Promise<PriorityClass | undefined> =>
    (await classes()).find((c) => c.metadata.name === name) ?? (await classes(true)).find((c) => c.metadata.name === name);

  async function admitPod(a: AdmissionAttributes): Promise<void> {
    const spec = (a.object as { spec?: PodPriorityFields } | undefined)?.spec;
    if (!spec) return;
    if (a.operation === 'UPDATE') {
      // Set at creation; an update that leaves them out keeps them (pod validation forbids changes).
      const old = (a.oldObject as { spec?: PodPriorityFields } | undefined)?.spec;
      if (spec.priority === undefined && old?.priority !== undefined) spec.priority = old.priority;
      if (spec.preemptionPolicy === undefined && old?.preemptionPolicy !== undefined) spec.preemptionPolicy = old.preemptionPolicy;
      return;
    }
    let priority: number;
    let preemptionPolicy: PreemptionPolicy | undefined;
    if (!spec.priorityClassName) {
      const dpc = defaultPriorityClass(await classes());
      if (dpc) {
        spec.priorityClassName = dpc.metadata.name ?? '';
        priority = dpc.value;
        preemptionPolicy = dpc.preemptionPolicy;
      } else {
        priority = DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS;
        preemptionPolicy = 'PreemptLowerPriority';
      }
    } else {
      const pc = await find(spec.priorityClassName);
      if (!pc) throw forbiddenFor(a, `no PriorityClass with name ${spec.priorityClassName} was found`);
      priority = pc.value;
      preemptionPolicy = pc.preemptionPolicy;
    }
    if (spec.priority !== undefined && spec.priority !== priority) {
      throw forbiddenFor(a, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
    }
    spec.priority = priority;
    if (preemptionPolicy) {
      if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== preemptionPolicy) {
        throw forbiddenFor(a, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${preemptionPolicy} from the given PriorityClass name`);
      }
      spec.preemptionPolicy = preemptionPolicy;
    }
  }

  async function validatePriorityClass(a: AdmissionAttributes): Promise<void> {
    if (a.operation === 'DELETE') {
      if (SYSTEM_PRIORITY_CLASSES.some((c) => c.metadata.name === a.name)) throw forbiddenFor(a, 'this is a system priority class and cannot be deleted');
      return;
    }
    const pc = a.object as PriorityClass | undefined;
    if (pc?.globalDefault !== true) return;
    const dpc = defaultPriorityClass(await classes());
    if (dpc && (a.operation === 'CREATE' || dpc.metadata.name !== pc.metadata.name)) {
      throw forbiddenFor(a, `PriorityClass ${dpc.metadata.name} is already marked as default. Only one default can exist`);
    }
  }

  return {
    name: 'Priority',
    async mutate(a: AdmissionAttributes): Promise<void> {
      if (a.subresource !== '' || a.info.group !== '' || a.info.resource !== 'pods') return;
      if (a.operation === 'CREATE' || a.operation === 'UPDATE') await admitPod(a);
    },
    async validate(a: AdmissionAttributes): Promise<void> {
      if (a.subresource !== '' || a.info.group !== 'scheduling.k8s.io' || a.info.resource !== 'priorityclasses') return;
      await validatePriorityClass(a);
    },
  };
}
