// Deleting a namespace deletes everything in it, then releases the namespace's `kubernetes`
// finalizer so the namespace itself goes (pkg/controller/namespace/deletion/namespaced_resources_deleter.go).
import type { Logger } from 'pino';
import { isNotFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { RESOURCES, VIRTUAL_RESOURCES, type ResourceInfo } from '../../api/scheme.ts';
import type { CustomResourceDefinition } from '../../api/types/apiextensions-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { ResourceClient } from '../../client/resource-client.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';

const NAMESPACED = RESOURCES.filter((r) => r.namespaced && r.preferred && !VIRTUAL_RESOURCES.has(r.resource)
  // Stored once, served twice: delete through the storage version only.
  && !(r.group === 'events.k8s.io'));

export class NamespaceController implements Controller {
  readonly name = 'namespace';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 100, maxDelayMs: 5000 });

  constructor(cs: Clientset, log: Logger) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
  }

  async run(signal: AbortSignal): Promise<void> {
    const informer = this.#cs.informer(RESOURCES.find((r) => r.resource === 'namespaces')!);
    informer.addHandlers({
      add: (ns) => { if (ns.metadata.deletionTimestamp) this.#queue.add(ns.metadata.name!); },
      update: (_old, ns) => { if (ns.metadata.deletionTimestamp) this.#queue.add(ns.metadata.name!); },
    });
    await runWorkers(this.name, this.#queue, 2, (key) => this.sync(key), this.#log, signal);
  }

  async sync(name: string): Promise<void> {
    const nsClient = this.#cs.resource('v1', 'namespaces');
    let ns: KubeObject;
    try {
      ns = await nsClient.get(undefined, name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const info of [...NAMESPACED, ...await this.#customResources()]) {
      const rc = new ResourceClient(this.#cs.rest, info);
      const list = await rc.list(name);
      for (const o of list.items) {
        remaining += 1;
        if (o.metadata.deletionTimestamp) continue;
        try {
          await rc.delete(name, o.metadata.name!, { propagationPolicy: 'Background' });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
    if (remaining > 0) {
      // Content still going (finalizers, graceful deletion): look again shortly.
      this.#queue.addAfter(name, 500);
      return;
    }
    const spec = (ns.spec ?? {}) as { finalizers?: string[] };
    if (spec.finalizers?.includes('kubernetes')) {
      await this.#cs.rest.request('PUT', `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, {
        body: { ...ns, spec: { ...spec, finalizers: spec.finalizers.filter((f) => f !== 'kubernetes') } },
      });
      this.#log.info({ namespace: name }, 'namespace content deleted; finalizer released');
    }
  }

  /**
   * Namespaced custom resources, from the established CRDs (upstream asks discovery; the CRDs
   * say the same, through the client), each through a served version.
   */
  async #customResources(): Promise<ResourceInfo[]> {
    const crds = await this.#cs.resource<CustomResourceDefinition>('apiextensions.k8s.io/v1', 'customresourcedefinitions').list(undefined);
    const out: ResourceInfo[] = [];
    for (const crd of crds.items) {
      const established = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      const version = crd.spec.versions.find((v) => v.served)?.name;
      const names = crd.status?.acceptedNames;
      if (!established || !version || !names?.plural || crd.spec.scope !== 'Namespaced') continue;
      out.push({
        group: crd.spec.group, version, resource: names.plural, singular: names.singular ?? '', kind: names.kind, listKind: names.listKind ?? `${names.kind}List`,
        namespaced: true, subresources: [], storage: { group: crd.spec.group, resource: names.plural }, storageVersion: version, preferred: true,
      });
    }
    return out;
  }
}
