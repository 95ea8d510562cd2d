// One volume, level-triggered: pv_controller.go syncVolume and reclaimVolume. A volume whose claim
// is gone is Released and then kept (Retain) or deleted (Delete); Recycle needs a recycler plugin,
// which skiff has not, so the volume fails as it does upstream without one.
import { isNotFound } from '../../api/errors.ts';
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/types/core-v1.ts';
import { AssumedCache } from './assumed-cache.ts';
import { ANN_BOUND_BY_CONTROLLER, ANN_DYNAMICALLY_PROVISIONED } from './pv-matching.ts';
import { volumeRefOf, type SyncContext } from './sync-context.ts';

export async function syncVolume(ctx: SyncContext, volume: PersistentVolume): Promise<void> {
  const ref = volume.spec?.claimRef;
  if (!ref || !ref.uid) {
    // Free, or reserved by name for a claim that has not bound yet: the claim's sync binds it.
    await ctx.binder.updateVolumePhase(volume, 'Available');
    if (ref?.name) ctx.enqueueClaim(ref.namespace ?? 'default', ref.name);
    return;
  }
  const namespace = ref.namespace ?? 'default';
  let claim = ctx.claimCache.get(AssumedCache.key(namespace, ref.name ?? ''));
  const releasing = volume.status?.phase !== 'Released' && volume.status?.phase !== 'Failed';
  if ((!claim && releasing) || (claim && claim.metadata.uid !== ref.uid)) {
    // The informer may be behind (a claim just created, or created again under the same name):
    // ask the server before releasing anything.
    claim = undefined;
    try {
      claim = await ctx.claims.get(namespace, ref.name ?? '');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  if (claim && claim.metadata.uid !== ref.uid) claim = undefined; // deleted and created again
  if (!claim) {
    let v = volume;
    if (releasing) v = await ctx.binder.updateVolumePhase(v, 'Released');
    await reclaim(ctx, v);
    return;
  }
  const bound: PersistentVolumeClaim = claim;
  const volumeName = bound.spec?.volumeName;
  if (!volumeName) {
    // Bound on our side only: the claim's sync finishes the job.
    ctx.enqueueClaim(namespace, bound.metadata.name ?? '');
    return;
  }
  if (volumeName === volume.metadata.name) {
    await ctx.binder.updateVolumePhase(volume, 'Bound');
    return;
  }
  // The claim went to another volume. If we picked this one, undo it; a user's claimRef stays as a
  // reservation by name.
  ctx.log.info({ volume: volume.metadata.name, byController: volume.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] !== undefined }, 'claim is bound to another volume; unbinding');
  await ctx.binder.unbindVolume(volume);
}

async function reclaim(ctx: SyncContext, volume: PersistentVolume): Promise<void> {
  if (volume.status?.phase === 'Failed') return;
  const policy = volume.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
  const ref = volumeRefOf(volume);
  switch (policy) {
    case 'Retain':
      return;
    case 'Delete':
      // An external provisioner's volume is its to delete, with the storage behind it
      // (pv_controller.go findDeletablePlugin: no plugin, not kubernetes.io/ → wait).
      if (isExternallyProvisioned(volume)) return;
      // The object goes; the data in a hostPath/local directory is the administrator's, as with
      // any static volume upstream whose plugin has no deleter.
      try {
        await ctx.volumes.delete(undefined, volume.metadata.name ?? '', { preconditions: { uid: volume.metadata.uid ?? '' } });
        ctx.log.info({ volume: volume.metadata.name }, 'released volume deleted (reclaim policy Delete)');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    case 'Recycle':
      await ctx.binder.updateVolumePhase(volume, 'Failed', 'No recycler plugin found for the volume!');
      ctx.event(ref, 'Warning', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
      return;
    default:
      await ctx.binder.updateVolumePhase(volume, 'Failed', 'Volume has unrecognized PersistentVolumeReclaimPolicy');
      ctx.event(ref, 'Warning', 'VolumeUnknownReclaimPolicy', 'Volume has unrecognized PersistentVolumeReclaimPolicy');
  }
}

function isExternallyProvisioned(volume: PersistentVolume): boolean {
  const by = volume.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED];
  return by !== undefined && !by.startsWith('kubernetes.io/');
}
