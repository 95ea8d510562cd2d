// The PersistentVolume binder for statically provisioned volumes
// (pkg/controller/volume/persistentvolume/pv_controller_base.go + pv_controller.go): informers on
// volumes and claims feed one queue of "volume:NAME" and "claim:NS/NAME" keys; one worker syncs
// them, so two claims never race for the same volume inside the controller.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { RESOURCES } from '../../api/scheme.ts';
import type { ObjectReference, PersistentVolume, PersistentVolumeClaim } from '../../api/types/core-v1.ts';
import { defaultStorageClassName, type StorageClass } from '../../api/types/storage-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { EventRecorder } from '../../client/event-recorder.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { AssumedCache } from './assumed-cache.ts';
import { Binder } from './binder.ts';
import { ANN_BIND_COMPLETED } from './pv-matching.ts';
import { syncClaim } from './sync-claim.ts';
import type { SyncContext } from './sync-context.ts';
import { syncVolume } from './sync-volume.ts';

const COMPONENT = 'persistentvolume-controller';
const VOLUME = 'volume:';
const CLAIM = 'claim:';
const RESYNC_MS = 15_000;

export class PersistentVolumeController implements Controller {
  readonly name = 'persistentvolume-binder';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 100, maxDelayMs: 10_000 });
  /** object uid → the last event recorded about it, so a failing sync says it once, not every time. */
  readonly #lastEvent = new Map<string, string>();

  constructor(cs: Clientset, log: Logger) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
  }

  async run(signal: AbortSignal): Promise<void> {
    const pvInformer = this.#cs.informer<PersistentVolume>(RESOURCES.find((r) => r.group === '' && r.resource === 'persistentvolumes')!);
    const pvcInformer = this.#cs.informer<PersistentVolumeClaim>(RESOURCES.find((r) => r.group === '' && r.resource === 'persistentvolumeclaims')!);
    const scInformer = this.#cs.informer<StorageClass>(RESOURCES.find((r) => r.group === 'storage.k8s.io' && r.resource === 'storageclasses')!);
    const volumeCache = new AssumedCache(pvInformer);
    const claimCache = new AssumedCache(pvcInformer);
    const volumes = this.#cs.resource<PersistentVolume>('v1', 'persistentvolumes');
    const claims = this.#cs.resource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims');
    const recorder = new EventRecorder({ clientset: this.#cs, component: COMPONENT, host: hostname(), log: this.#log });
    const ctx: SyncContext = {
      cs: this.#cs, log: this.#log, volumes, claims, volumeCache, claimCache,
      binder: new Binder({ volumes, claims, volumeCache, claimCache }),
      storageClass: (name) => scInformer.get(name),
      defaultStorageClass: () => defaultStorageClassName(scInformer.values()),
      event: (ref, type, reason, message) => this.#event(recorder, ref, type, reason, message),
      clearEvents: (uid) => { if (uid) this.#lastEvent.delete(uid); },
      enqueueClaim: (ns, name) => this.#queue.add(CLAIM + AssumedCache.key(ns, name)),
    };
    const pendingClaims = (): void => {
      for (const c of pvcInformer.values()) {
        if (c.metadata.annotations?.[ANN_BIND_COMPLETED] === undefined) this.#queue.add(CLAIM + AssumedCache.key(c.metadata.namespace, c.metadata.name ?? ''));
      }
    };
    pvInformer.addHandlers({
      add: (v) => { this.#queue.add(VOLUME + (v.metadata.name ?? '')); pendingClaims(); },
      update: (old, v) => {
        this.#queue.add(VOLUME + (v.metadata.name ?? ''));
        // A volume that just became free may be what a waiting claim needs.
        if (v.status?.phase === 'Available' && old.status?.phase !== 'Available') pendingClaims();
      },
      delete: (v) => {
        volumeCache.forget(v.metadata.name ?? '');
        if (v.metadata.uid) this.#lastEvent.delete(v.metadata.uid);
        const ref = v.spec?.claimRef;
        if (ref?.name) this.#queue.add(CLAIM + AssumedCache.key(ref.namespace ?? 'default', ref.name));
      },
    });
    pvcInformer.addHandlers({
      add: (c) => this.#queue.add(CLAIM + AssumedCache.key(c.metadata.namespace, c.metadata.name ?? '')),
      update: (_old, c) => this.#queue.add(CLAIM + AssumedCache.key(c.metadata.namespace, c.metadata.name ?? '')),
      delete: (c) => {
        claimCache.forget(AssumedCache.key(c.metadata.namespace, c.metadata.name ?? ''));
        if (c.metadata.uid) this.#lastEvent.delete(c.metadata.uid);
        // Its volume is released by the volume's sync.
        for (const v of pvInformer.values()) {
          const ref = v.spec?.claimRef;
          if (v.metadata.name === c.spec?.volumeName || (ref?.name === c.metadata.name && ref?.namespace === c.metadata.namespace)) {
            this.#queue.add(VOLUME + (v.metadata.name ?? ''));
          }
        }
      },
    });
    const events = recorder.run(signal);
    // A class appearing (or becoming the default) may be what a waiting claim needs.
    scInformer.addHandlers({ add: () => pendingClaims(), update: () => pendingClaims() });
    await Promise.all([pvInformer.waitForSync(signal), pvcInformer.waitForSync(signal), scInformer.waitForSync(signal)]);
    if (signal.aborted) {
      await events;
      return;
    }
    // Level-triggered: look at everything again now and then (pv_controller_base.go resyncs every
    // 15 s), so what changed outside volumes and claims (a storage class) is noticed too.
    const resync = setInterval(() => {
      for (const v of pvInformer.values()) this.#queue.add(VOLUME + (v.metadata.name ?? ''));
      for (const c of pvcInformer.values()) this.#queue.add(CLAIM + AssumedCache.key(c.metadata.namespace, c.metadata.name ?? ''));
    }, RESYNC_MS);
    signal.addEventListener('abort', () => clearInterval(resync), { once: true });
    await runWorkers(this.name, this.#queue, 1, (key) => this.#sync(ctx, key), this.#log, signal);
    await events;
  }

  async #sync(ctx: SyncContext, key: string): Promise<void> {
    if (key.startsWith(VOLUME)) {
      const v = ctx.volumeCache.get(key.slice(VOLUME.length));
      if (v && !v.metadata.deletionTimestamp) await syncVolume(ctx, v);
      return;
    }
    const c = ctx.claimCache.get(key.slice(CLAIM.length));
    if (c && !c.metadata.deletionTimestamp) await syncClaim(ctx, c);
  }

  #event(recorder: EventRecorder, ref: ObjectReference, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const said = `${type}\0${reason}\0${message}`;
    if (ref.uid && this.#lastEvent.get(ref.uid) === said) return;
    if (ref.uid) this.#lastEvent.set(ref.uid, said);
    recorder.record(ref, type, reason, message);
  }
}
