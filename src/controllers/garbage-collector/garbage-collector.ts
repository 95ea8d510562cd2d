// The garbage collector: objects whose owners are all gone are deleted (background cascading);
// an owner deleted in the foreground waits for its dependents, then loses its foregroundDeletion
// finalizer; an owner deleted with the orphan policy first frees its dependents
// (pkg/controller/garbagecollector/garbagecollector.go, graph_builder.go).
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { KubeObject, OwnerReference } from '../../api/meta.ts';
import { allResources, lookupKind, onResourcesChanged, parseApiVersion, RESOURCES, VIRTUAL_RESOURCES, type ResourceInfo } from '../../api/scheme.ts';
import { Informer } from '../../client/informer.ts';
import type { Clientset } from '../../client/clientset.ts';
import { ResourceClient } from '../../client/resource-client.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';

const WATCHED = RESOURCES.filter((r) => r.preferred && !VIRTUAL_RESOURCES.has(r.resource) && r.group !== 'events.k8s.io' && r.resource !== 'events');

interface Node { obj: KubeObject; info: ResourceInfo }

export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 50, maxDelayMs: 10_000 });
  readonly #nodes = new Map<string, Node>();
  readonly #dependents = new Map<string, Set<string>>();

  constructor(cs: Clientset, log: Logger) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = WATCHED.map((info) => {
      const inf = this.#cs.informer(info, { metadataOnly: true });
      inf.addHandlers({
        add: (o) => this.#observe(info, o),
        update: (_old, o) => this.#observe(info, o),
        delete: (o) => this.#forget(o),
      });
      return inf;
    });
    // Decisions that an owner is absent need the whole graph.
    await Promise.all(informers.map((i) => i.waitForSync(signal))).catch(() => undefined);
    if (signal.aborted) return;
    this.#watchCustomResources(signal);
    await runWorkers(this.name, this.#queue, 2, (uid) => this.sync(uid), this.#log, signal);
  }

  /**
   * Custom resources join the graph while their CRDs exist (upstream's graph builder re-reads
   * discovery; the scheme's catalogue says the same in this process, as the control plane runs
   * the API server beside the controllers). Their informers stop when the resource goes.
   */
  #watchCustomResources(signal: AbortSignal): void {
    const running = new Map<string, AbortController>();
    const sync = (): void => {
      const want = new Map(allResources().filter((r) => r.custom && r.preferred).map((r) => [`${r.group}/${r.resource}`, r]));
      for (const [key, ac] of running) if (!want.has(key)) { ac.abort(); running.delete(key); }
      for (const [key, info] of want) {
        if (running.has(key)) continue;
        const ac = new AbortController();
        running.set(key, ac);
        const inf = new Informer(new ResourceClient(this.#cs.rest, info), { metadataOnly: true, onError: (err) => this.#log.debug({ err, resource: key }, 'custom resource informer') });
        inf.addHandlers({
          add: (o) => this.#observe(info, o),
          update: (_old, o) => this.#observe(info, o),
          delete: (o) => this.#forget(o),
        });
        void inf.run(AbortSignal.any([signal, ac.signal]));
      }
    };
    const stop = onResourcesChanged(sync);
    signal.addEventListener('abort', () => { stop(); }, { once: true });
    sync();
  }

  #observe(info: ResourceInfo, o: KubeObject): void {
    const uid = o.metadata.uid;
    if (!uid) return;
    const prev = this.#nodes.get(uid);
    for (const r of prev?.obj.metadata.ownerReferences ?? []) this.#dependents.get(r.uid)?.delete(uid);
    this.#nodes.set(uid, { obj: o, info });
    for (const r of o.metadata.ownerReferences ?? []) {
      let set = this.#dependents.get(r.uid);
      if (!set) { set = new Set(); this.#dependents.set(r.uid, set); }
      set.add(uid);
    }
    if (o.metadata.ownerReferences?.length || o.metadata.deletionTimestamp) this.#queue.add(uid);
  }

  #forget(o: KubeObject): void {
    const uid = o.metadata.uid;
    if (!uid) return;
    this.#nodes.delete(uid);
    for (const r of o.metadata.ownerReferences ?? []) {
      this.#dependents.get(r.uid)?.delete(uid);
      // An owner waiting in the foreground may now have no dependents left.
      if (this.#nodes.has(r.uid)) this.#queue.add(r.uid);
    }
    // Its dependents may now be orphans.
    for (const d of this.#dependents.get(uid) ?? []) this.#queue.add(d);
  }

  async sync(uid: string): Promise<void> {
    const node = this.#nodes.get(uid);
    if (!node) return;
    const { obj, info } = node;
    const finalizers = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp) {
      if (finalizers.includes('orphan')) await this.#orphanDependents(node);
      else if (finalizers.includes('foregroundDeletion')) await this.#deleteDependentsFirst(node);
      return;
    }
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const absent: OwnerReference[] = [];
    for (const r of refs) if (!(await this.#ownerExists(r, obj.metadata.namespace))) absent.push(r);
    if (absent.length === 0) return;
    const rc = new ResourceClient(this.#cs.rest, info);
    if (absent.length === refs.length) {
      this.#log.debug({ kind: info.kind, name: obj.metadata.name }, 'owners gone; deleting');
      try {
        await rc.delete(obj.metadata.namespace, obj.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid } });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      return;
    }
    const gone = new Set(absent.map((r) => r.uid));
    await this.#setOwnerRefs(rc, obj, refs.filter((r) => !gone.has(r.uid)));
  }

  async #ownerExists(ref: OwnerReference, namespace: string | undefined): Promise<boolean> {
    if (this.#nodes.has(ref.uid)) return true;
    const { group, version } = parseApiVersion(ref.apiVersion);
    const info = lookupKind(group, version, ref.kind) ?? RESOURCES.find((r) => r.group === group && r.kind === ref.kind);
    if (!info) return true; // an owner of a kind this server does not serve: leave the dependent alone
    try {
      const live = await new ResourceClient(this.#cs.rest, info).get(info.namespaced ? namespace : undefined, ref.name);
      return live.metadata.uid === ref.uid;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async #deleteDependentsFirst(node: Node): Promise<void> {
    const uid = node.obj.metadata.uid!;
    const deps = [...(this.#dependents.get(uid) ?? [])].map((d) => this.#nodes.get(d)).filter((d): d is Node => !!d);
    for (const d of deps) {
      if (d.obj.metadata.deletionTimestamp) continue;
      try {
        await new ResourceClient(this.#cs.rest, d.info).delete(d.obj.metadata.namespace, d.obj.metadata.name!, { propagationPolicy: 'Foreground' });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (deps.length > 0) return; // each dependent's deletion re-queues this owner
    await this.#removeFinalizer(node, 'foregroundDeletion');
  }

  async #orphanDependents(node: Node): Promise<void> {
    const uid = node.obj.metadata.uid!;
    for (const d of [...(this.#dependents.get(uid) ?? [])]) {
      const dep = this.#nodes.get(d);
      if (!dep) continue;
      await this.#setOwnerRefs(new ResourceClient(this.#cs.rest, dep.info), dep.obj, (dep.obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid));
    }
    await this.#removeFinalizer(node, 'orphan');
  }

  async #setOwnerRefs(rc: ResourceClient, obj: KubeObject, refs: OwnerReference[]): Promise<void> {
    try {
      await rc.patch(obj.metadata.namespace, obj.metadata.name!, 'merge', {
        metadata: { uid: obj.metadata.uid, ownerReferences: refs.length ? refs : null },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async #removeFinalizer(node: Node, finalizer: string): Promise<void> {
    const { obj, info } = node;
    try {
      await new ResourceClient(this.#cs.rest, info).patch(obj.metadata.namespace, obj.metadata.name!, 'merge', {
        metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers: (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer) },
      });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err; // a conflict retries with the newer object the informer brings
    }
  }
}
