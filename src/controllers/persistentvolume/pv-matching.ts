// Which PersistentVolume a claim may bind to, as pkg/controller/volume/persistentvolume/index.go
// (findByClaim: the smallest fitting volume, from the access-mode set with the fewest modes first)
// and component-helpers storage/volume/pv_helpers.go (FindMatchingVolume, GetPersistentVolumeClass)
// decide it. Node affinity is the scheduler's business (VolumeBinding); delayed binding is the
// claim sync's.
import { labelSelectorFromMeta, matchesLabels } from '../../api/selectors/labels.ts';
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/types/core-v1.ts';
import { tryParseQuantity } from '../../api/validation/quantity.ts';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** The node the scheduler chose for a WaitForFirstConsumer claim. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** Which provisioner is to serve a claim (set by the PV controller, read by external provisioners). */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** The provisioner who made a volume. */
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by';
/** Classes of statically provisioned volumes, which nothing provisions. */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
/** The beta storage class annotation still wins over spec.storageClassName upstream. */
export const ANN_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

export function claimClass(claim: PersistentVolumeClaim): string {
  return claim.metadata.annotations?.[ANN_STORAGE_CLASS] ?? claim.spec?.storageClassName ?? '';
}

export function volumeClass(volume: PersistentVolume): string {
  return volume.metadata.annotations?.[ANN_STORAGE_CLASS] ?? volume.spec?.storageClassName ?? '';
}

/** claimRef points at this claim (an empty claimRef UID is a reservation by name that still counts). */
export function isVolumeBoundToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata.name || (ref.namespace ?? '') !== (claim.metadata.namespace ?? '')) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

function requested(claim: PersistentVolumeClaim): number {
  return tryParseQuantity(claim.spec?.resources?.requests?.storage) ?? 0;
}

function capacity(volume: PersistentVolume): number {
  return tryParseQuantity(volume.spec?.capacity?.storage) ?? 0;
}

function offersModes(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const offered = new Set(volume.spec?.accessModes ?? []);
  return (claim.spec?.accessModes ?? []).every((m) => offered.has(m));
}

function volumeModeMismatch(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  return (claim.spec?.volumeMode ?? 'Filesystem') !== (volume.spec?.volumeMode ?? 'Filesystem');
}

/**
 * Why a volume named in claim.spec.volumeName cannot serve the claim, or undefined when it can
 * (pv_controller.go checkVolumeSatisfyClaim, with its messages).
 */
export function checkVolumeSatisfiesClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): string | undefined {
  if (volume.metadata.deletionTimestamp) return `the volume is marked for deletion "${volume.metadata.name ?? ''}"`;
  if (capacity(volume) < requested(claim)) return 'requested PV is too small';
  if (volumeClass(volume) !== claimClass(claim)) return 'storageClassName does not match';
  if (volumeModeMismatch(volume, claim)) return 'incompatible volumeMode';
  if (!offersModes(volume, claim)) return 'incompatible accessMode';
  return undefined;
}

/**
 * The volume this unbound claim should bind to, or undefined. A volume pre-bound to the claim
 * (claimRef) wins at once; otherwise the smallest Available volume of the claim's class whose
 * capacity, access modes, volume mode and labels (claim.spec.selector) fit, looking first among
 * volumes offering the fewest access modes.
 */
export function findBestMatch(volumes: Iterable<PersistentVolume>, claim: PersistentVolumeClaim): PersistentVolume | undefined {
  const selector = claim.spec?.selector ? labelSelectorFromMeta(claim.spec.selector) : undefined;
  const want = requested(claim);
  const cls = claimClass(claim);
  // index.go groups volumes by their access-mode set and tries the sets with fewer modes first.
  const groups = new Map<string, PersistentVolume[]>();
  for (const v of volumes) {
    if (!offersModes(v, claim)) continue;
    const key = [...new Set(v.spec?.accessModes ?? [])].sort().join(',');
    let g = groups.get(key);
    if (!g) groups.set(key, g = []);
    g.push(v);
  }
  const ordered = [...groups.entries()].sort((a, b) => modeCount(a[0]) - modeCount(b[0]) || (a[0] < b[0] ? -1 : 1));
  for (const [, group] of ordered) {
    let best: PersistentVolume | undefined;
    for (const v of group) {
      if (capacity(v) < want) continue;
      if (volumeModeMismatch(v, claim)) continue;
      if (v.spec?.claimRef && !isVolumeBoundToClaim(v, claim)) continue;
      if (v.metadata.deletionTimestamp) continue;
      if (isVolumeBoundToClaim(v, claim)) return v;
      // Volumes not Available yet will be soon; binding them now would only meet conflicts.
      if (v.status?.phase !== 'Available') continue;
      if (selector && !matchesLabels(selector, v.metadata.labels)) continue;
      if (volumeClass(v) !== cls) continue;
      if (!best || capacity(best) > capacity(v)) best = v;
    }
    if (best) return best;
  }
  return undefined;
}

function modeCount(key: string): number {
  return key === '' ? 0 : key.split(',').length;
}
