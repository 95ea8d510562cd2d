// One claim, level-triggered: pv_controller.go syncClaim → syncUnboundClaim / syncBoundClaim, with
// upstream's events and messages.
import type { PersistentVolumeClaim } from '../../api/types/core-v1.ts';
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_STORAGE_CLASS, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, NO_PROVISIONER,
  checkVolumeSatisfiesClaim, claimClass, findBestMatch, isVolumeBoundToClaim,
} from './pv-matching.ts';
import { claimRefOf, type SyncContext } from './sync-context.ts';

export async function syncClaim(ctx: SyncContext, claim: PersistentVolumeClaim): Promise<void> {
  if (claim.metadata.annotations?.[ANN_BIND_COMPLETED] === undefined) await syncUnboundClaim(ctx, claim);
  else await syncBoundClaim(ctx, claim);
}

async function syncUnboundClaim(ctx: SyncContext, claim: PersistentVolumeClaim): Promise<void> {
  const ref = claimRefOf(claim);
  const wanted = claim.spec?.volumeName;
  if (!wanted) {
    // A WaitForFirstConsumer claim only takes a volume pre-bound to it (by the scheduler, or a
    // provisioner): which volume depends on where its pod goes (findBestMatchForClaim delayBinding).
    const delayed = isDelayBinding(ctx, claim);
    const volumes = ctx.volumeCache.list();
    const volume = findBestMatch(delayed ? volumes.filter((v) => v.spec?.claimRef && isVolumeBoundToClaim(v, claim)) : volumes, claim);
    if (volume) {
      await ctx.binder.bind(volume, claim);
      ctx.clearEvents(claim.metadata.uid);
      ctx.log.info({ claim: `${ref.namespace}/${ref.name}`, volume: volume.metadata.name }, 'claim bound');
      return;
    }
    // A claim made before any class was default gets today's default (pv_controller.go
    // assignDefaultStorageClass, RetroactiveDefaultStorageClass); its update brings it back here.
    if (await assignDefaultStorageClass(ctx, claim)) return;
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

async function assignDefaultStorageClass(ctx: SyncContext, claim: PersistentVolumeClaim): Promise<boolean> {
  if (claim.spec?.storageClassName !== undefined && claim.spec.storageClassName !== null) return false;
  if (claim.metadata.annotations?.[ANN_STORAGE_CLASS] !== undefined) return false;
  const name = ctx.defaultStorageClass();
  if (name === undefined) return false;
  const next: PersistentVolumeClaim = structuredClone(claim);
  next.spec = { ...next.spec, storageClassName: name };
  ctx.claimCache.assume(await ctx.claims.update(next.metadata.namespace, next));
  ctx.log.info({ claim: `${claim.metadata.namespace ?? ''}/${claim.metadata.name ?? ''}`, storageClass: name }, 'default storage class assigned');
  return true;
}

function isDelayBinding(ctx: SyncContext, claim: PersistentVolumeClaim): boolean {
  const cls = claimClass(claim);
  return cls !== '' && ctx.storageClass(cls)?.volumeBindingMode === 'WaitForFirstConsumer';
}

/**
 * Nothing bound: say why, and hand the claim to its class's provisioner when provisioning may
 * start — at once for Immediate classes, once the scheduler chose a node for WaitForFirstConsumer
 * ones (pv_controller.go syncUnboundClaim → provisionClaim; every provisioner is external here,
 * so the claim is annotated with its name, as setClaimProvisioner does).
 */
async function explainNoVolume(ctx: SyncContext, claim: PersistentVolumeClaim): Promise<void> {
  const ref = claimRefOf(claim);
  const cls = claimClass(claim);
  if (cls === '') {
    ctx.event(ref, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    return;
  }
  const sc = ctx.storageClass(cls);
  if (!sc) {
    ctx.event(ref, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${cls}" not found`);
    return;
  }
  if (sc.volumeBindingMode === 'WaitForFirstConsumer' && claim.metadata.annotations?.[ANN_SELECTED_NODE] === undefined) {
    ctx.event(ref, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    return;
  }
  if (sc.provisioner === NO_PROVISIONER) {
    ctx.event(ref, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    return;
  }
  const ann = claim.metadata.annotations ?? {};
  if (ann[ANN_STORAGE_PROVISIONER] !== sc.provisioner || ann[ANN_BETA_STORAGE_PROVISIONER] !== sc.provisioner) {
    const next: PersistentVolumeClaim = structuredClone(claim);
    next.metadata.annotations = { ...ann, [ANN_STORAGE_PROVISIONER]: sc.provisioner, [ANN_BETA_STORAGE_PROVISIONER]: sc.provisioner };
    ctx.claimCache.assume(await ctx.claims.update(next.metadata.namespace, next));
  }
  ctx.event(ref, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
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
