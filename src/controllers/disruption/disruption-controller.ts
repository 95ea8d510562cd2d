// The disruption controller (pkg/controller/disruption/disruption.go): keeps each
// PodDisruptionBudget's status current — the pods its selector picks, how many are healthy, how
// many must be, and so how many may be disrupted now. The pods/eviction subresource of the API
// server spends that budget (src/apiserver/handlers/eviction.ts); this controller refills it.
// Informers on budgets, pods, ReplicaSets and Deployments feed a rate-limited queue of ns/name
// keys; sync(key) is level-triggered and writes the status only when it changed.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { OwnerReference } from '../../api/meta.ts';
import { labelSelectorFromMeta, matchesLabels, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import type { Pod } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { EventRecorder } from '../../client/event-recorder.ts';
import type { Informer } from '../../client/informer.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import type { Deployment } from '../deployment/deployment-types.ts';
import { NamespaceIndex } from '../util/namespace-index.ts';
import type { ReplicaSet } from '../util/workload-types.ts';
import { ExpectedScaleError, expectedScale, type ScaleSources } from './expected-scale.ts';
import { computeStatus, countHealthy, expectedAndDesired, failSafeStatus, needsControllerScale, pendingDisruptions, sameStatus } from './pdb-status.ts';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from './pdb-types.ts';
import { keyOf } from '../util/object-keys.ts';

const PDBS = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespaced: true };
const PODS = { group: '', version: 'v1', resource: 'pods', namespaced: true };
const REPLICA_SETS = { group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true };
const DEPLOYMENTS = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true };


export class DisruptionController implements Controller {
  readonly name = 'disruption';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 5, maxDelayMs: 300_000 });
  readonly #recorder: EventRecorder;
  readonly #pdbClient: ResourceClient<PodDisruptionBudget>;
  #pdbs!: Informer<PodDisruptionBudget>;
  #pdbIndex!: NamespaceIndex<PodDisruptionBudget>;
  #podIndex!: NamespaceIndex<Pod>;
  #replicaSets!: Informer<ReplicaSet>;
  #deployments!: Informer<Deployment>;

  constructor(cs: Clientset, log: Logger) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#recorder = new EventRecorder({ clientset: cs, component: 'controllermanager', host: hostname(), log: this.#log });
    this.#pdbClient = cs.resource<PodDisruptionBudget>('policy/v1', 'poddisruptionbudgets');
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#pdbs = this.#cs.informer<PodDisruptionBudget>(PDBS);
    const pods = this.#cs.informer<Pod>(PODS);
    this.#replicaSets = this.#cs.informer<ReplicaSet>(REPLICA_SETS);
    this.#deployments = this.#cs.informer<Deployment>(DEPLOYMENTS);
    this.#pdbIndex = new NamespaceIndex(this.#pdbs);
    this.#podIndex = new NamespaceIndex(pods);
    this.#pdbs.addHandlers({
      add: (p) => this.#queue.add(keyOf(p)),
      update: (_o, p) => this.#queue.add(keyOf(p)),
      delete: (p) => this.#queue.add(keyOf(p)),
    });
    pods.addHandlers({
      add: (p) => this.#enqueueForPod(p),
      update: (old, p) => {
        if (old.metadata.resourceVersion === p.metadata.resourceVersion) return;
        this.#enqueueForPod(p);
        if (JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(p.metadata.labels ?? {})) this.#enqueueForPod(old);
      },
      delete: (p) => this.#enqueueForPod(p),
    });
    // A scale change alters the expected count of percentage and maxUnavailable budgets.
    const scaled = (old: { spec?: { replicas?: number } }, cur: ReplicaSet | Deployment): void => {
      if (old.spec?.replicas !== cur.spec?.replicas) this.#enqueueScaleBased(cur.metadata.namespace ?? '');
    };
    this.#replicaSets.addHandlers({ update: scaled });
    this.#deployments.addHandlers({ update: scaled });
    const recorder = this.#recorder.run(signal);
    try {
      await Promise.all([this.#pdbs, pods, this.#replicaSets, this.#deployments].map((i) => i.waitForSync(signal)));
    } catch {
      await recorder;
      return;
    }
    await runWorkers(this.name, this.#queue, 2, (k) => this.sync(k), this.#log, signal);
    await recorder;
  }

  /** Every budget in the pod's namespace whose selector picks it. */
  #enqueueForPod(pod: Pod): void {
    for (const pdb of this.#pdbIndex.list(pod.metadata.namespace ?? '')) {
      const sel = selectorOf(pdb);
      if (sel && matchesLabels(sel, pod.metadata.labels)) this.#queue.add(keyOf(pdb));
    }
  }

  #enqueueScaleBased(namespace: string): void {
    for (const pdb of this.#pdbIndex.list(namespace)) if (needsControllerScale(pdb)) this.#queue.add(keyOf(pdb));
  }

  async sync(key: string): Promise<void> {
    const pdb = this.#pdbs.get(key);
    if (!pdb || pdb.metadata.deletionTimestamp) return;
    try {
      await this.#trySync(key, pdb);
    } catch (err) {
      // A conflict is retried as it is; anything else leaves the budget at zero (upstream's failSafe).
      if (isConflict(err) || isNotFound(err)) throw err;
      await this.#writeStatus(pdb, failSafeStatus(pdb, err as Error, new Date().toISOString().replace(/\.\d+Z$/, 'Z')));
      throw err;
    }
  }

  async #trySync(key: string, pdb: PodDisruptionBudget): Promise<void> {
    const sel = selectorOf(pdb);
    const namespace = pdb.metadata.namespace ?? '';
    const pods = sel ? this.#podIndex.list(namespace).filter((p) => matchesLabels(sel, p.metadata.labels)) : [];
    const ref = { kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', namespace, name: pdb.metadata.name ?? '', ...(pdb.metadata.uid ? { uid: pdb.metadata.uid } : {}) };
    if (pods.length === 0) this.#recorder.record(ref, 'Normal', 'NoPods', 'No matching pods found');
    let scale = 0;
    if (needsControllerScale(pdb)) {
      try {
        scale = await expectedScale(pods, this.#scaleSources());
      } catch (err) {
        if (err instanceof ExpectedScaleError) {
          this.#recorder.record(ref, 'Warning', err.reason, err.message);
          this.#recorder.record(ref, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${err.message}`);
        }
        throw err;
      }
    }
    const [expectedCount, desiredHealthy] = expectedAndDesired(pdb, pods.length, () => scale);
    const nowMs = Date.now();
    const { disrupted, recheckAt, expired } = pendingDisruptions(pdb, pods, nowMs);
    for (const name of expired) {
      const pod = pods.find((p) => p.metadata.name === name);
      if (pod) this.#recorder.record({ kind: 'Pod', apiVersion: 'v1', namespace, name, ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) }, 'Warning', 'NotDeleted', `Pod was expected by PDB ${namespace}/${pdb.metadata.name} to be deleted but it wasn't`);
    }
    const currentHealthy = countHealthy(pods, disrupted, nowMs);
    const status = computeStatus({ pdb, currentHealthy, desiredHealthy, expectedCount, disruptedPods: disrupted, now: new Date(nowMs).toISOString().replace(/\.\d+Z$/, 'Z') });
    await this.#writeStatus(pdb, status);
    // An eviction that never became a deletion stops counting after DeletionTimeout: look again then.
    if (recheckAt !== undefined) this.#queue.addAfter(key, Math.max(0, recheckAt - nowMs) + 100);
  }

  #scaleSources(): ScaleSources {
    return {
      replicaSet: (k) => this.#replicaSets.get(k),
      deployment: (k) => this.#deployments.get(k),
      scale: (ref: OwnerReference, namespace: string) =>
        this.#cs.kind<{ kind?: string; apiVersion?: string; metadata: { uid?: string }; spec?: { replicas?: number } }>(ref.apiVersion, ref.kind).get(namespace, ref.name, 'scale'),
    };
  }

  async #writeStatus(pdb: PodDisruptionBudget, status: PodDisruptionBudgetStatus): Promise<void> {
    if (sameStatus(pdb.status, status)) return;
    // The informer's copy: a conflict means the eviction subresource or a newer spec came first,
    // and the requeue computes again from what the informer shows next.
    await this.#pdbClient.updateStatus(pdb.metadata.namespace, { ...pdb, status });
  }
}

/** The budget's selector; null selects nothing. An invalid one selects nothing (validation keeps them out). */
function selectorOf(pdb: PodDisruptionBudget): LabelSelectorExpr | undefined {
  try {
    return labelSelectorFromMeta(pdb.spec?.selector);
  } catch {
    return undefined;
  }
}
