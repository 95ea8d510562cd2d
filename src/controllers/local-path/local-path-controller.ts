// The built-in local-path provisioner (k3s's rancher/local-path-provisioner on the external
// provisioner library, sig-storage-lib-external-provisioner controller.go): claims handed to it by
// the PV controller (volume.kubernetes.io/storage-provisioner) on the node the scheduler chose
// (volume.kubernetes.io/selected-node) get a hostPath PersistentVolume pre-bound to them, for the
// PV controller to bind; released volumes of its own with reclaim policy Delete are removed with
// their directory. The directory is made and removed by a helper pod on the node, as k3s does:
// the control plane may not share a filesystem with the node, and the node needs nothing extra.
// The default `local-path` StorageClass is created when missing, as k3s deploys it.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isAlreadyExists, isNotFound } from '../../api/errors.ts';
import { RESOURCES } from '../../api/scheme.ts';
import type { Node, ObjectReference, PersistentVolume, PersistentVolumeClaim, Pod } from '../../api/types/core-v1.ts';
import type { StorageClass } from '../../api/types/storage-v1.ts';
import { tryParseQuantity } from '../../api/validation/quantity.ts';
import type { Clientset } from '../../client/clientset.ts';
import { EventRecorder } from '../../client/event-recorder.ts';
import type { Informer } from '../../client/informer.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import {
  ANN_HELPER_CLAIM, ANN_PROVISIONED_BY, HELPER_LABEL, HELPER_NAMESPACE, PROVISIONER, buildHelperPod, buildVolume, defaultStorageClass, helperPodName,
  isProvisionedPath, volumeHostname, volumeName, volumePath, type HelperAction,
} from './objects.ts';

const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
const CLAIM = 'claim:';
const VOLUME = 'volume:';
const HOSTNAME_LABEL = 'kubernetes.io/hostname';

export interface LocalPathOptions {
  /** Where volumes live on every node (k3s: --default-local-storage-path, <data-dir>/storage). */
  storagePath?: string;
  /** Create the default `local-path` StorageClass when it is missing (default true). */
  createStorageClass?: boolean;
}

export const DEFAULT_STORAGE_PATH = '/var/lib/skiff/storage';

function resource(group: string, name: string): (typeof RESOURCES)[number] {
  return RESOURCES.find((r) => r.group === group && r.resource === name)!;
}

export class LocalPathProvisioner implements Controller {
  readonly name = 'local-path-provisioner';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #storagePath: string;
  readonly #createClass: boolean;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 500, maxDelayMs: 30_000 });
  #claims!: Informer<PersistentVolumeClaim>;
  #volumes!: Informer<PersistentVolume>;
  #classes!: Informer<StorageClass>;
  #helpers!: Informer<Pod>;
  #pvClient!: ResourceClient<PersistentVolume>;
  #podClient!: ResourceClient<Pod>;
  #recorder!: EventRecorder;
  /** object uid → last event, so a waiting sync does not repeat itself. */
  readonly #lastEvent = new Map<string, string>();

  constructor(cs: Clientset, log: Logger, options: LocalPathOptions = {}) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#storagePath = options.storagePath ?? DEFAULT_STORAGE_PATH;
    this.#createClass = options.createStorageClass ?? true;
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#claims = this.#cs.informer<PersistentVolumeClaim>(resource('', 'persistentvolumeclaims'));
    this.#volumes = this.#cs.informer<PersistentVolume>(resource('', 'persistentvolumes'));
    this.#classes = this.#cs.informer<StorageClass>(resource('storage.k8s.io', 'storageclasses'));
    this.#helpers = this.#cs.informer<Pod>(resource('', 'pods'), { namespace: HELPER_NAMESPACE, labelSelector: HELPER_LABEL });
    this.#pvClient = this.#cs.resource<PersistentVolume>('v1', 'persistentvolumes');
    this.#podClient = this.#cs.resource<Pod>('v1', 'pods');
    this.#recorder = new EventRecorder({ clientset: this.#cs, component: PROVISIONER, host: hostname(), log: this.#log });
    const claimKey = (c: PersistentVolumeClaim): string => `${CLAIM}${c.metadata.namespace ?? 'default'}/${c.metadata.name ?? ''}`;
    this.#claims.addHandlers({
      add: (c) => this.#queue.add(claimKey(c)),
      update: (_o, c) => this.#queue.add(claimKey(c)),
      delete: (c) => { this.#queue.add(claimKey(c)); if (c.metadata.uid) this.#lastEvent.delete(c.metadata.uid); },
    });
    this.#volumes.addHandlers({
      add: (v) => this.#queue.add(VOLUME + (v.metadata.name ?? '')),
      update: (_o, v) => this.#queue.add(VOLUME + (v.metadata.name ?? '')),
      delete: (v) => { this.#queue.add(VOLUME + (v.metadata.name ?? '')); if (v.metadata.uid) this.#lastEvent.delete(v.metadata.uid); },
    });
    // A helper pod that finished moves its claim or volume on.
    const helperDone = (p: Pod): void => {
      const m = /^helper-pod-(create|delete)-(pvc-.+)$/.exec(p.metadata.name ?? '');
      if (!m) return;
      if (m[1] === 'delete') this.#queue.add(VOLUME + m[2]!);
      else if (p.metadata.annotations?.[ANN_HELPER_CLAIM]) this.#queue.add(CLAIM + p.metadata.annotations[ANN_HELPER_CLAIM]);
    };
    this.#helpers.addHandlers({ add: helperDone, update: (_o, p) => helperDone(p), delete: helperDone });
    const events = this.#recorder.run(signal);
    this.#cs.start(signal);
    try {
      await Promise.all([this.#claims, this.#volumes, this.#classes, this.#helpers].map((i) => i.waitForSync(signal)));
      if (this.#createClass) await this.#ensureStorageClass();
    } catch (err) {
      if (!signal.aborted) throw err;
    }
    if (!signal.aborted) await runWorkers(this.name, this.#queue, 2, (key) => this.#sync(key), this.#log, signal);
    await events;
  }

  /** k3s deploys the class once; here it is made when missing, never changed once there. */
  async #ensureStorageClass(): Promise<void> {
    const sc = defaultStorageClass();
    if (this.#classes.get(sc.metadata.name ?? '')) return;
    try {
      await this.#cs.resource<StorageClass>('storage.k8s.io/v1', 'storageclasses').create(undefined, sc);
      this.#log.info({ storageClass: sc.metadata.name }, 'default StorageClass created');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  async #sync(key: string): Promise<void> {
    if (key.startsWith(VOLUME)) return this.#syncVolume(key.slice(VOLUME.length));
    return this.#syncClaim(key.slice(CLAIM.length));
  }

  // ---- provisioning ----

  async #syncClaim(key: string): Promise<void> {
    const claim = this.#claims.get(key);
    if (!claim || claim.metadata.deletionTimestamp || claim.spec?.volumeName) {
      // Nothing (more) to provision: a create helper left over is removed.
      for (const p of [...this.#helpers.values()]) {
        if (p.metadata.annotations?.[ANN_HELPER_CLAIM] === key) await this.#removeHelper('create', (p.metadata.name ?? '').replace(/^helper-pod-create-/, ''));
      }
      return;
    }
    const ann = claim.metadata.annotations ?? {};
    // The PV controller hands the claim over (shouldProvision).
    const handedTo = ann[ANN_STORAGE_PROVISIONER] ?? ann[ANN_BETA_STORAGE_PROVISIONER];
    if (handedTo !== PROVISIONER) return;
    const className = claim.spec?.storageClassName ?? '';
    const sc = this.#classes.get(className);
    if (!sc || sc.provisioner !== PROVISIONER) return;
    const ref = claimRef(claim);
    const node = ann[ANN_SELECTED_NODE];
    if (!node) {
      this.#event(ref, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": configuration error, no node was specified`);
      return;
    }
    const pvName = volumeName(claim);
    if (this.#volumes.get(pvName)) {
      await this.#removeHelper('create', pvName);
      return;
    }
    const path = volumePath(this.#storagePath, claim);
    const helper = this.#helpers.get(`${HELPER_NAMESPACE}/${helperPodName('create', pvName)}`);
    if (!helper) {
      this.#event(ref, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${ref.namespace ?? ''}/${ref.name ?? ''}"`);
      await this.#createHelper('create', pvName, node, path, requestBytes(claim), key);
      return;
    }
    if (helper.status?.phase === 'Failed') {
      await this.#removeHelper('create', pvName);
      this.#event(ref, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": create process failed on node ${node}`);
      throw new Error(`creating ${path} on node ${node} failed`);
    }
    if (helper.status?.phase !== 'Succeeded') return; // the helper pod's update brings us back
    const pv = buildVolume(claim, sc, { name: node, hostname: await this.#hostnameOf(node) }, path);
    try {
      await this.#pvClient.create(undefined, pv);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    this.#log.info({ claim: key, volume: pvName, node, path }, 'volume provisioned');
    this.#event(ref, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
    await this.#removeHelper('create', pvName);
  }

  /** The node's kubernetes.io/hostname label, which the volume's node affinity names. */
  async #hostnameOf(node: string): Promise<string> {
    try {
      const n = await this.#cs.resource<Node>('v1', 'nodes').get(undefined, node);
      return n.metadata.labels?.[HOSTNAME_LABEL] ?? node;
    } catch (err) {
      if (isNotFound(err)) return node;
      throw err;
    }
  }

  // ---- deleting ----

  async #syncVolume(name: string): Promise<void> {
    const pv = this.#volumes.get(name);
    if (!pv) {
      await this.#removeHelper('delete', name);
      return;
    }
    // shouldDelete: ours, released, reclaim policy Delete.
    if (pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== PROVISIONER) return;
    if (pv.spec?.persistentVolumeReclaimPolicy !== 'Delete' || pv.status?.phase !== 'Released' || pv.metadata.deletionTimestamp) return;
    const ref = volumeRef(pv);
    const path = pv.spec.hostPath?.path ?? pv.spec.local?.path ?? '';
    const node = volumeHostname(pv);
    if (!node || !isProvisionedPath(this.#storagePath, path)) {
      // Not a volume this provisioner could have made here: delete the object, touch no files.
      this.#event(ref, 'Warning', 'VolumeFailedDelete', `path ${path} on node ${node ?? '(none)'} is not under ${this.#storagePath}: directory left in place`);
      await this.#deleteVolume(pv);
      return;
    }
    const helper = this.#helpers.get(`${HELPER_NAMESPACE}/${helperPodName('delete', name)}`);
    if (!helper) {
      await this.#createHelper('delete', name, await this.#nodeNamed(node), path, 0);
      return;
    }
    if (helper.status?.phase === 'Failed') {
      await this.#removeHelper('delete', name);
      this.#event(ref, 'Warning', 'VolumeFailedDelete', `failed to delete volume ${name}: delete process failed on node ${node}`);
      throw new Error(`removing ${path} on node ${node} failed`);
    }
    if (helper.status?.phase !== 'Succeeded') return;
    await this.#deleteVolume(pv);
    this.#log.info({ volume: name, node, path }, 'volume and its directory deleted');
    await this.#removeHelper('delete', name);
  }

  /** The Node whose hostname label is `hostname` (usually the same name). */
  async #nodeNamed(host: string): Promise<string> {
    const nodes = await this.#cs.resource<Node>('v1', 'nodes').list(undefined, { labelSelector: `${HOSTNAME_LABEL}=${host}` });
    return nodes.items[0]?.metadata.name ?? host;
  }

  async #deleteVolume(pv: PersistentVolume): Promise<void> {
    try {
      await this.#pvClient.delete(undefined, pv.metadata.name ?? '', { preconditions: { uid: pv.metadata.uid ?? '' } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  // ---- helper pods ----

  async #createHelper(action: HelperAction, pvName: string, node: string, path: string, sizeBytes: number, claimKey?: string): Promise<void> {
    const pod = buildHelperPod(action, pvName, node, this.#storagePath, path, sizeBytes, claimKey);
    try {
      await this.#podClient.create(HELPER_NAMESPACE, pod);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  async #removeHelper(action: HelperAction, pvName: string): Promise<void> {
    const name = helperPodName(action, pvName);
    const pod = this.#helpers.get(`${HELPER_NAMESPACE}/${name}`);
    if (!pod || pod.metadata.deletionTimestamp) return;
    try {
      await this.#podClient.delete(HELPER_NAMESPACE, name, { gracePeriodSeconds: 0 });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  #event(ref: ObjectReference, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const said = `${type}\0${reason}\0${message}`;
    if (ref.uid && this.#lastEvent.get(ref.uid) === said) return;
    if (ref.uid) this.#lastEvent.set(ref.uid, said);
    this.#recorder.record(ref, type, reason, message);
  }
}

function requestBytes(claim: PersistentVolumeClaim): number {
  return tryParseQuantity(claim.spec?.resources?.requests?.storage) ?? 0;
}

function claimRef(c: PersistentVolumeClaim): ObjectReference {
  return {
    kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: c.metadata.namespace ?? 'default', name: c.metadata.name ?? '',
    ...(c.metadata.uid ? { uid: c.metadata.uid } : {}), ...(c.metadata.resourceVersion ? { resourceVersion: c.metadata.resourceVersion } : {}),
  };
}

function volumeRef(v: PersistentVolume): ObjectReference {
  return {
    kind: 'PersistentVolume', apiVersion: 'v1', name: v.metadata.name ?? '',
    ...(v.metadata.uid ? { uid: v.metadata.uid } : {}), ...(v.metadata.resourceVersion ? { resourceVersion: v.metadata.resourceVersion } : {}),
  };
}
