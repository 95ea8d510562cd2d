// One claim, level-triggered: pv_controller.go syncClaim → syncUnboundClaim / syncBoundClaim, with
// upstream's events and messages.
import { isNotFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { PersistentVolumeClaim } from '../../api/types/core-v1.ts';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, checkVolumeSatisfiesClaim, claimClass, findBestMatch, isVolumeBoundToClaim } from './pv-matching.ts';
import { claimRefOf, type SyncContext } from './sync-context.ts';

export async function syncClaim(ctx: SyncContext, claim: PersistentVolumeClaim): Promise<void> {
  if (claim.metadata.annotations?.[ANN_BIND_COMPLETED] === undefined) await syncUnboundClaim(ctx, claim);
  else await syncBoundClaim(ctx, claim);
}

async function syncUnboundClaim(ctx: SyncContext, claim: PersistentVolumeClaim): Promise<void> {
  const ref = claimRefOf(claim);
  const wanted = claim.spec?.volumeName;
  if (!wanted) {
    const volume = findBestMatch(ctx.volumeCache.list(), claim);
    if (volume) {
      await ctx.binder.bind(volume, claim);
      ctx.clearEvents(claim.metadata.uid);
      ctx.log.info({ claim: `${ref.namespace}/${ref.name}`, volume: volume.metadata.name }, 'claim bound');
      return;
    }
    await explainNoVolume(ctx, claim);
    await ctx.binder.updateClaimStatus(claim, 'Pending');
    return;
  }
  // The user asked for a volume by name.
  const volume = ctx.volumeCache.get(wanted);
  if (!volume) {
    await ctx.binder.updateClaimStatus(claim, 'Pending');
    return;
  }
  if (!volume.spec?.claimRef) {
    const why = checkVolumeSatisfiesClaim(volume, claim);
    if (why) {
      ctx.event(ref, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${wanted}": ${why}`);
      await ctx.binder.updateClaimStatus(claim, 'Pending');
      return;
    }
    await ctx.binder.bind(volume, claim);
    ctx.clearEvents(claim.metadata.uid);
    return;
  }
  if (isVolumeBoundToClaim(volume, claim)) {
    await ctx.binder.bind(volume, claim);
    ctx.clearEvents(claim.metadata.uid);
    return;
  }
  // The volume is someone else's: the claim waits (upstream returns an error when we chose it).
  ctx.event(ref, 'Warning', 'FailedBinding', `volume "${wanted}" already bound to a different claim.`);
  if (claim.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] !== undefined) {
    throw new Error(`invalid binding of claim "${ref.namespace}/${ref.name}" to volume "${wanted}": volume already claimed by "${volume.spec.claimRef.namespace}/${volume.spec.claimRef.name}"`);
  }
  await ctx.binder.updateClaimStatus(claim, 'Pending');
}

/** Why nothing was found, as upstream tells it when it cannot provision either. */
async function explainNoVolume(ctx: SyncContext, claim: PersistentVolumeClaim): Promise<void> {
  const ref = claimRefOf(claim);
  const cls = claimClass(claim);
  if (cls === '') {
    ctx.event(ref, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    return;
  }
  let sc: KubeObject & { provisioner?: string; volumeBindingMode?: string };
  try {
    sc = await ctx.cs.resource('storage.k8s.io/v1', 'storageclasses').get(undefined, cls);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    ctx.event(ref, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${cls}" not found`);
    return;
  }
  if (sc.volumeBindingMode === 'WaitForFirstConsumer') {
    ctx.event(ref, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    return;
  }
  // No provisioner runs in skiff: upstream says this when the provisioner is external.
  ctx.event(ref, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${sc.provisioner ?? ''}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
}

async function syncBoundClaim(ctx: SyncContext, claim: PersistentVolumeClaim): Promise<void> {
  const ref = claimRefOf(claim);
  const name = claim.spec?.volumeName;
  if (!name) {
    await ctx.binder.updateClaimStatus(claim, 'Lost');
    ctx.event(ref, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
    return;
  }
  const volume = ctx.volumeCache.get(name);
  if (!volume) {
    await ctx.binder.updateClaimStatus(claim, 'Lost');
    ctx.event(ref, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
    return;
  }
  if (!volume.spec?.claimRef || isVolumeBoundToClaim(volume, claim)) {
    // Finish or repair the binding; every step is a no-op when already done.
    await ctx.binder.bind(volume, claim);
    return;
  }
  await ctx.binder.updateClaimStatus(claim, 'Lost');
  ctx.event(ref, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
}
