// The taint eviction controller (pkg/controller/tainteviction/taint_eviction.go): pods on a node
// with NoExecute taints they do not tolerate are deleted at once; pods tolerating them for
// tolerationSeconds are deleted when that runs out, counted from when this controller first saw
// the taint (the delayed work queue stands in for upstream's TimedWorkerQueue). Before deleting,
// the pod gets the DisruptionTarget condition, and an event says so (TaintManagerEviction).
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isNotFound } from '../../api/errors.ts';
import type { Node, Pod } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { EventRecorder } from '../../client/event-recorder.ts';
import { objectKeyOf, type Informer } from '../../client/informer.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { evictionDecision, evictionDueMs, noExecuteTaints } from './taint-eviction-decision.ts';
import { PodsByNode } from './pods-by-node.ts';

const NODES = { group: '', version: 'v1', resource: 'nodes', namespaced: false };
const PODS = { group: '', version: 'v1', resource: 'pods', namespaced: true };

export class TaintEvictionController implements Controller {
  readonly name = 'taint-eviction';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 50, maxDelayMs: 10_000 });
  readonly #recorder: EventRecorder;
  /** pod key → when its eviction was first scheduled (ms). */
  readonly #scheduled = new Map<string, number>();
  #nodes: Informer<Node> | undefined;
  #pods: Informer<Pod> | undefined;
  #byNode: PodsByNode | undefined;

  constructor(cs: Clientset, log: Logger) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#recorder = new EventRecorder({ clientset: cs, component: 'taint-eviction-controller', host: hostname(), log: this.#log });
  }

  async run(signal: AbortSignal): Promise<void> {
    const nodes = this.#cs.informer<Node>(NODES);
    const pods = this.#cs.informer<Pod>(PODS);
    this.#nodes = nodes;
    this.#pods = pods;
    this.#byNode = new PodsByNode(pods);
    const nodeChanged = (n: Node): void => { for (const p of this.#byNode?.list(n.metadata.name!) ?? []) this.#queue.add(objectKeyOf(p)); };
    nodes.addHandlers({
      add: nodeChanged,
      update: (old, n) => {
        if (JSON.stringify(noExecuteTaints(old.spec?.taints)) !== JSON.stringify(noExecuteTaints(n.spec?.taints))) nodeChanged(n);
      },
      delete: nodeChanged,
    });
    pods.addHandlers({
      add: (p) => { if (p.spec?.nodeName) this.#queue.add(objectKeyOf(p)); },
      update: (old, p) => {
        if (p.spec?.nodeName && (old.spec?.nodeName !== p.spec.nodeName || JSON.stringify(old.spec?.tolerations) !== JSON.stringify(p.spec.tolerations) || Boolean(old.metadata.deletionTimestamp) !== Boolean(p.metadata.deletionTimestamp))) {
          this.#queue.add(objectKeyOf(p));
        }
      },
      delete: (p) => this.#queue.add(objectKeyOf(p)),
    });
    const recorder = this.#recorder.run(signal);
    try {
      await Promise.all([nodes.waitForSync(signal), pods.waitForSync(signal)]);
    } catch {
      await recorder;
      return;
    }
    await runWorkers(this.name, this.#queue, 4, (key) => this.sync(key), this.#log, signal);
    await recorder;
  }

  async sync(key: string): Promise<void> {
    const pod = this.#pods?.get(key);
    // A pod already being deleted has nothing more to fear from a taint.
    const node = pod?.spec?.nodeName && !pod.metadata.deletionTimestamp ? this.#nodes?.get(pod.spec.nodeName) : undefined;
    if (!pod || !node) {
      this.#scheduled.delete(key);
      return;
    }
    const decision = evictionDecision(pod.spec?.tolerations, node.spec?.taints ?? []);
    if (decision.action === 'keep') {
      if (this.#scheduled.delete(key)) this.#recorder.pod(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
      return;
    }
    const now = Date.now();
    const since = this.#scheduled.get(key) ?? now;
    this.#scheduled.set(key, since);
    const due = evictionDueMs(decision, since)!;
    if (due > now) {
      this.#queue.addAfter(key, due - now);
      return;
    }
    await this.#evict(pod, key);
    this.#scheduled.delete(key);
  }

  async #evict(pod: Pod, key: string): Promise<void> {
    this.#recorder.pod(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const pods = this.#cs.resource<Pod>('v1', 'pods');
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name!;
    try {
      // Upstream's addConditionAndDeletePod: say why before the pod goes.
      await pods.patch(ns, name, 'strategic', {
        status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] },
      }, { subresource: 'status' });
      await pods.delete(ns, name, { preconditions: { uid: pod.metadata.uid! } });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    this.#log.info({ pod: key, node: pod.spec?.nodeName }, 'pod evicted for a NoExecute taint');
  }
}
