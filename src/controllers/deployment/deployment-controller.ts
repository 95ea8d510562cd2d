// The Deployment controller (pkg/controller/deployment/deployment_controller.go): shared informers
// on Deployments, ReplicaSets and pods feed a rate-limited queue of ns/name keys; sync(key) claims
// the Deployment's ReplicaSets and runs one DeploymentSync (deployment-sync.ts) over them.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isNotFound } from '../../api/errors.ts';
import type { OwnerReference } from '../../api/meta.ts';
import { labelSelectorFromMeta, matchesLabels, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import type { Pod } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { EventRecorder } from '../../client/event-recorder.ts';
import type { Informer } from '../../client/informer.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { controllerRefOf, ControllerRefManager } from '../util/controller-ref.ts';
import { NamespaceIndex } from '../util/namespace-index.ts';
import type { ReplicaSet } from '../util/workload-types.ts';
import type { Deployment } from './deployment-types.ts';
import { DEPLOYMENT_API_VERSION, DeploymentSync } from './deployment-sync.ts';
import { keyOf } from '../util/object-keys.ts';

const DEPLOYMENTS = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true };
const REPLICASETS = { group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true };
const PODS = { group: '', version: 'v1', resource: 'pods', namespaced: true };

export interface DeploymentControllerOptions {
  /** Concurrent syncs (upstream's --concurrent-deployment-syncs, default 5). */
  workers?: number;
}

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #workers: number;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 5, maxDelayMs: 1000_000 });
  readonly #recorder: EventRecorder;
  readonly #deployments: ResourceClient<Deployment>;
  readonly #replicaSets: ResourceClient<ReplicaSet>;
  #dInformer: Informer<Deployment> | undefined;
  #dIndex: NamespaceIndex<Deployment> | undefined;
  #rsInformer: Informer<ReplicaSet> | undefined;
  #rsIndex: NamespaceIndex<ReplicaSet> | undefined;
  #podIndex: NamespaceIndex<Pod> | undefined;

  constructor(cs: Clientset, log: Logger, options: DeploymentControllerOptions = {}) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#workers = options.workers ?? 5;
    this.#recorder = new EventRecorder({ clientset: cs, component: 'deployment-controller', host: hostname(), log: this.#log });
    this.#deployments = cs.resource<Deployment>(DEPLOYMENT_API_VERSION, 'deployments');
    this.#replicaSets = cs.resource<ReplicaSet>('apps/v1', 'replicasets');
  }

  async run(signal: AbortSignal): Promise<void> {
    const dInformer = this.#cs.informer<Deployment>(DEPLOYMENTS);
    const rsInformer = this.#cs.informer<ReplicaSet>(REPLICASETS);
    const podInformer = this.#cs.informer<Pod>(PODS);
    this.#dInformer = dInformer;
    this.#rsInformer = rsInformer;
    this.#dIndex = new NamespaceIndex(dInformer);
    this.#rsIndex = new NamespaceIndex(rsInformer);
    this.#podIndex = new NamespaceIndex(podInformer);
    dInformer.addHandlers({
      add: (d) => this.#queue.add(keyOf(d)),
      update: (_old, d) => this.#queue.add(keyOf(d)),
      delete: (d) => this.#queue.add(keyOf(d)),
    });
    rsInformer.addHandlers({
      add: (rs) => this.#rsChanged(undefined, rs),
      update: (old, rs) => this.#rsChanged(old, rs),
      delete: (rs) => this.#enqueueOwner(rs.metadata.namespace, controllerRefOf(rs)),
    });
    podInformer.addHandlers({ delete: (pod) => this.#podDeleted(pod) });
    const recorder = this.#recorder.run(signal);
    try {
      await Promise.all([dInformer.waitForSync(signal), rsInformer.waitForSync(signal), podInformer.waitForSync(signal)]);
    } catch {
      await recorder;
      return;
    }
    await runWorkers(this.name, this.#queue, this.#workers, (key) => this.sync(key), this.#log, signal);
    await recorder;
  }

  /** The Deployment a controller reference names, if it is still that object. */
  #resolve(namespace: string | undefined, ref: OwnerReference | undefined): Deployment | undefined {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.#dInformer?.get(`${namespace}/${ref.name}`);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  #enqueueOwner(namespace: string | undefined, ref: OwnerReference | undefined): void {
    const d = this.#resolve(namespace, ref);
    if (d) this.#queue.add(keyOf(d));
  }

  /** Deployments whose selector takes in an orphan ReplicaSet (getDeploymentsForReplicaSet). */
  #enqueueSelecting(rs: ReplicaSet): void {
    for (const d of this.#dIndex?.list(rs.metadata.namespace ?? '') ?? []) {
      const sel = selectorOf(d);
      if (sel && sel.requirements.length > 0 && matchesLabels(sel, rs.metadata.labels)) this.#queue.add(keyOf(d));
    }
  }

  /** addReplicaSet/updateReplicaSet: wake the owner, the former owner, or whoever may adopt. */
  #rsChanged(old: ReplicaSet | undefined, rs: ReplicaSet): void {
    if (old && old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
    const ref = controllerRefOf(rs);
    const oldRef = old && controllerRefOf(old);
    if (oldRef && oldRef.uid !== ref?.uid) this.#enqueueOwner(old.metadata.namespace, oldRef);
    if (ref) {
      this.#enqueueOwner(rs.metadata.namespace, ref);
      return;
    }
    if (!old || JSON.stringify(old.metadata.labels) !== JSON.stringify(rs.metadata.labels) || oldRef) this.#enqueueSelecting(rs);
  }

  /** A Recreate rollout waits for the last old pod to go (deletePod). */
  #podDeleted(pod: Pod): void {
    const rsRef = controllerRefOf(pod);
    if (rsRef?.kind !== 'ReplicaSet') return;
    const rs = this.#rsInformer?.get(`${pod.metadata.namespace}/${rsRef.name}`);
    if (!rs || rs.metadata.uid !== rsRef.uid) return;
    const d = this.#resolve(rs.metadata.namespace, controllerRefOf(rs));
    if (d?.spec.strategy?.type === 'Recreate') this.#queue.add(keyOf(d));
  }

  async sync(key: string): Promise<void> {
    const d = this.#dInformer?.get(key);
    if (!d) return;
    const started = Date.now();
    await new DeploymentSync({
      deployments: this.#deployments,
      replicaSets: this.#replicaSets,
      recorder: this.#recorder,
      claimReplicaSets: (dep, sel) => this.#claim(dep, sel),
      podsByReplicaSet: (dep, sel, rss) => this.#podsByReplicaSet(dep, sel, rss),
      requeueAfter: (ms) => { if (ms <= 0) this.#queue.addRateLimited(key); else this.#queue.addAfter(key, ms); },
      now: () => Date.now(),
    }, d).run();
    this.#log.debug({ key, ms: Date.now() - started }, 'synced deployment');
  }

  /** getReplicaSetsForDeployment: adopt matching orphans, release owned ReplicaSets that stopped matching. */
  async #claim(d: Deployment, selector: LabelSelectorExpr): Promise<ReplicaSet[]> {
    const ns = d.metadata.namespace ?? '';
    const manager = new ControllerRefManager<ReplicaSet>({
      owner: d, apiVersion: DEPLOYMENT_API_VERSION, kind: 'Deployment', selector, client: this.#replicaSets,
      canAdopt: async () => {
        let fresh: Deployment;
        try {
          fresh = await this.#deployments.get(ns, d.metadata.name ?? '');
        } catch (err) {
          if (isNotFound(err)) throw new Error(`deployment ${ns}/${d.metadata.name} is gone; not adopting`, { cause: err });
          throw err;
        }
        if (fresh.metadata.uid !== d.metadata.uid) throw new Error(`deployment ${ns}/${d.metadata.name} was replaced; not adopting`);
        if (fresh.metadata.deletionTimestamp) throw new Error(`deployment ${ns}/${d.metadata.name} is being deleted; not adopting`);
      },
    });
    const { claimed, errors } = await manager.claim(this.#rsIndex?.list(ns) ?? []);
    if (errors.length > 0) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
    return claimed;
  }

  /** getPodMapForDeployment: pods of the selector grouped by the ReplicaSet that controls them. */
  #podsByReplicaSet(d: Deployment, selector: LabelSelectorExpr, rss: readonly ReplicaSet[]): Map<string, Pod[]> {
    const out = new Map<string, Pod[]>(rss.map((rs) => [rs.metadata.uid ?? '', []]));
    for (const pod of this.#podIndex?.list(d.metadata.namespace ?? '') ?? []) {
      if (!matchesLabels(selector, pod.metadata.labels)) continue;
      const list = out.get(controllerRefOf(pod)?.uid ?? '');
      list?.push(pod);
    }
    out.delete('');
    return out;
  }
}

function selectorOf(d: Deployment): LabelSelectorExpr | undefined {
  try {
    return labelSelectorFromMeta(d.spec.selector);
  } catch {
    return undefined;
  }
}
