// persistentVolumeClaim volumes: follow the claim to its bound PersistentVolume and use its local
// or hostPath directory, with the checks of pkg/kubelet/volumemanager/populator
// (desired_state_of_world_populator.go getPVCExtractPV / getPVSpec) and their messages.
import { stat } from 'node:fs/promises';
import { VolumeError } from './errors.ts';
import { checkHostPathType } from './host-path.ts';
import type { VolumeSources } from './types.ts';

/** The bound volume's directory, and whether it is a local PV (whose plugin manages ownership). */
export async function claimPath(sources: VolumeSources, namespace: string, claimName: string): Promise<{ path: string; local: boolean }> {
  const fail = (reason: string): VolumeError => new VolumeError(`error processing PVC ${namespace}/${claimName}: ${reason}`);
  const pvc = await sources.getPersistentVolumeClaim(namespace, claimName);
  if (!pvc) throw fail(`failed to fetch PVC from API server: persistentvolumeclaims "${claimName}" not found`);
  if (pvc.metadata.deletionTimestamp) throw fail('PVC is being deleted');
  if (pvc.status?.phase !== 'Bound') throw fail('PVC is not bound');
  const pvName = pvc.spec?.volumeName;
  if (!pvName) throw fail('PVC has empty pvc.Spec.VolumeName');
  const pv = await sources.getPersistentVolume(pvName);
  if (!pv) throw fail(`failed to fetch PV ${pvName} from API server: persistentvolumes "${pvName}" not found`);
  const claimRef = pv.spec?.claimRef;
  if (!claimRef) throw fail(`found PV object ${pvName} but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`);
  if (claimRef.uid !== pvc.metadata.uid) {
    throw fail(`found PV object ${pvName} but its pv.Spec.ClaimRef.UID (${claimRef.uid ?? ''}) does not point to claim.UID (${pvc.metadata.uid ?? ''})`);
  }
  if (pv.spec?.hostPath) {
    await checkHostPathType(pv.spec.hostPath.path, pv.spec.hostPath.type);
    return { path: pv.spec.hostPath.path, local: false };
  }
  if (pv.spec?.local) {
    const path = pv.spec.local.path;
    // The local plugin bind-mounts the path, which fails when it is missing.
    const st = await stat(path).catch(() => undefined);
    if (!st) throw new VolumeError(`path "${path}" does not exist`);
    return { path, local: true };
  }
  throw new VolumeError(`PersistentVolume ${pvName} is neither local nor hostPath: only those are supported on this node`);
}
