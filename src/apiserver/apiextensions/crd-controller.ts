// What the API server does when CustomResourceDefinitions change, inside the server as upstream's
// apiextensions-apiserver controllers run in-process: names are checked for conflicts and accepted
// (pkg/controller/status/naming_controller.go), the CRD is Established and its versions served
// (pkg/controller/establish, pkg/apiserver/customresource_handler.go: one storage per CRD, discovery
// and OpenAPI updated at once), and a CRD being deleted first loses its objects
// (pkg/controller/finalizer/crd_finalizer.go), then its resource.
import type { Logger } from 'pino';
import { isNotFound, isStatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { customResourcesOf, setCustomResources, type ResourceInfo } from '../../api/scheme.ts';
import { setCustomDefinitions, type Definitions } from '../../api/schema/index.ts';
import {
  CRD_CLEANUP_FINALIZER, type CustomResourceDefinition, type CustomResourceDefinitionCondition, type CustomResourceDefinitionNames,
  type CustomResourceDefinitionVersion, type JSONSchemaProps,
} from '../../api/types/apiextensions-v1.ts';
import type { WatchCache } from '../cache/watch-cache.ts';
import { registryKey } from '../handlers/context.ts';
import type { Registry, WriteContext } from '../registry/registry.ts';
import { rfc3339 } from '../registry/registry.ts';
import { customDefinitions } from './schema/definition.ts';

const PREFIX = '/registry/apiextensions.k8s.io/customresourcedefinitions/';
const CRD_REGISTRY = 'apiextensions.k8s.io/customresourcedefinitions';

export interface CrdControllerDeps {
  cache: WatchCache;
  registries: Map<string, Registry>;
  /** A registry serving the resource `info` (its storage version), with the custom resource hooks. */
  newRegistry: (info: ResourceInfo) => Registry;
  log: Logger;
}

const systemContext = (): WriteContext => ({
  user: { name: 'system:apiserver', groups: ['system:masters'] }, manager: 'kube-apiserver', apiVersion: 'apiextensions.k8s.io/v1', dryRun: false, now: new Date(),
});

/** Kubernetes version order: GA before beta before alpha, higher numbers first, others by name (version/helpers.go). */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return [m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0, Number(m[1]), Number(m[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa && !pb) return -1;
  if (!pa && pb) return 1;
  if (!pa || !pb) return a < b ? -1 : a > b ? 1 : 0;
  if (pa[0] !== pb[0]) return pb[0] - pa[0];
  if (pa[1] !== pb[1]) return pb[1] - pa[1];
  return pb[2] - pa[2];
}

function hasDefaults(s: JSONSchemaProps | undefined): boolean {
  if (!s) return false;
  if (Object.values(s.properties ?? {}).some((p) => p.default !== undefined || hasDefaults(p))) return true;
  return hasDefaults(s.items) || (typeof s.additionalProperties === 'object' && hasDefaults(s.additionalProperties));
}

function storageVersionOf(crd: CustomResourceDefinition): CustomResourceDefinitionVersion | undefined {
  return crd.spec.versions.find((v) => v.storage);
}

/** The ResourceInfo of each version (served ones first in discovery order), the storage one last if not served. */
export function resourceInfos(crd: CustomResourceDefinition, names: CustomResourceDefinitionNames): { served: ResourceInfo[]; storage: ResourceInfo | undefined } {
  const spec = crd.spec;
  const storageVersion = storageVersionOf(crd)?.name ?? '';
  const versions = [...spec.versions].sort((a, b) => compareKubeVersions(a.name, b.name));
  const infos = versions.map((v, i): ResourceInfo & { served: boolean } => {
    const subresources: ResourceInfo['subresources'] = [];
    if (v.subresources?.status) subresources.push('status');
    if (v.subresources?.scale) subresources.push('scale');
    const info: ResourceInfo & { served: boolean } = {
      group: spec.group, version: v.name, resource: names.plural, singular: names.singular ?? names.kind.toLowerCase(), kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`, namespaced: spec.scope === 'Namespaced', subresources,
      storage: { group: spec.group, resource: names.plural }, storageVersion, preferred: i === versions.findIndex((x) => x.served),
      custom: {
        crd: crd.metadata.name ?? '', uid: crd.metadata.uid ?? '', printerColumns: v.additionalPrinterColumns ?? [],
        generation: crd.metadata.resourceVersion ?? '',
        ...(v.schema?.openAPIV3Schema ? { schema: v.schema.openAPIV3Schema } : {}),
        ...(v.schema?.openAPIV3Schema && hasDefaults(v.schema.openAPIV3Schema) ? { defaultsOnRead: true } : {}),
        ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}),
      },
      served: v.served,
    };
    if (names.shortNames?.length) info.shortNames = names.shortNames;
    if (names.categories?.length) info.categories = names.categories;
    return info;
  });
  const strip = ({ served: _s, ...rest }: ResourceInfo & { served: boolean }): ResourceInfo => rest;
  return { served: infos.filter((i) => i.served).map(strip), storage: infos.find((i) => i.version === storageVersion) && strip(infos.find((i) => i.version === storageVersion)!) };
}

function setCondition(conds: CustomResourceDefinitionCondition[], c: CustomResourceDefinitionCondition, now: string): CustomResourceDefinitionCondition[] {
  const old = conds.find((x) => x.type === c.type);
  const next = { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime ?? now : now };
  return old ? conds.map((x) => (x.type === c.type ? next : x)) : [...conds, next];
}

export class CrdController {
  readonly #deps: CrdControllerDeps;
  readonly #queue = new Set<string>();
  #wake: (() => void) | undefined;

  constructor(deps: CrdControllerDeps) {
    this.#deps = deps;
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.#deps.cache.whenReady();
    const { subscription } = this.#deps.cache.subscribe(PREFIX, undefined, (ev) => {
      this.#queue.add(ev.key.slice(PREFIX.length));
      this.#wake?.();
    });
    signal.addEventListener('abort', () => { subscription.close(); this.#wake?.(); }, { once: true });
    while (!signal.aborted) {
      if (this.#queue.size === 0) {
        await new Promise<void>((r) => { this.#wake = r; });
        this.#wake = undefined;
        continue;
      }
      const name = this.#queue.values().next().value as string;
      this.#queue.delete(name);
      try {
        await this.#sync(name);
      } catch (err) {
        this.#deps.log.error({ err, crd: name }, 'syncing a CustomResourceDefinition failed; retrying');
        setTimeout(() => { this.#queue.add(name); this.#wake?.(); }, 1000).unref();
      }
    }
  }

  /** Wait until the named CRD's resources are served (tests; the server itself needs no wait). */
  async #sync(name: string): Promise<void> {
    await this.#deps.cache.sync();
    const crd = this.#deps.cache.get(PREFIX + name)?.obj as CustomResourceDefinition | undefined;
    if (!crd) { this.#drop(name); return; }
    if (crd.metadata.deletionTimestamp) { await this.#finalize(crd); return; }
    const now = rfc3339(new Date());
    const conflict = this.#nameConflict(crd);
    let conds = crd.status?.conditions ?? [];
    const accepted = conflict ? crd.status?.acceptedNames : crd.spec.names;
    conds = setCondition(conds, conflict
      ? { type: 'NamesAccepted', status: 'False', reason: conflict.reason, message: conflict.message }
      : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }, now);
    const established = conds.find((c) => c.type === 'Established')?.status === 'True';
    if (!conflict || established) {
      conds = setCondition(conds, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
    } else {
      conds = setCondition(conds, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }, now);
    }
    const storage = storageVersionOf(crd)?.name;
    const stored = [...(crd.status?.storedVersions ?? [])];
    if (storage && !stored.includes(storage)) stored.push(storage);
    const status = { ...crd.status, conditions: conds, acceptedNames: accepted ?? { plural: '', kind: '' }, storedVersions: stored };
    const regs = this.#deps.registries;
    const crds = regs.get(CRD_REGISTRY)!;
    if (JSON.stringify(status) !== JSON.stringify(crd.status)) {
      await crds.update('', name, (cur) => {
        if (!cur) throw new Error('gone');
        return { ...cur, status };
      }, systemContext(), { subresource: 'status' });
      return; // the write's event brings the CRD back here
    }
    if (!(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) {
      await crds.update('', name, (cur) => {
        if (!cur) throw new Error('gone');
        const next = structuredClone(cur);
        next.metadata.finalizers = [...(next.metadata.finalizers ?? []), CRD_CLEANUP_FINALIZER];
        return next;
      }, systemContext());
      return;
    }
    if (accepted && accepted.plural && conds.find((c) => c.type === 'Established')?.status === 'True') this.#install(crd, accepted);
  }

  /** Another CRD of the same group already serving one of these names (naming_controller.go). */
  #nameConflict(crd: CustomResourceDefinition): { reason: string; message: string } | undefined {
    const names = crd.spec.names;
    for (const o of this.#deps.cache.list(PREFIX).items) {
      const other = o.obj as CustomResourceDefinition;
      if (other.metadata.name === crd.metadata.name || other.spec.group !== crd.spec.group) continue;
      const an = other.status?.acceptedNames;
      if (!an) continue;
      if (an.plural === names.plural) return { reason: 'PluralConflict', message: `"${names.plural}" is already in use` };
      if (names.singular && an.singular === names.singular) return { reason: 'SingularConflict', message: `"${names.singular}" is already in use` };
      if (an.kind === names.kind) return { reason: 'KindConflict', message: `"${names.kind}" is already in use` };
      if (names.listKind && an.listKind === names.listKind) return { reason: 'ListKindConflict', message: `"${names.listKind}" is already in use` };
      for (const s of names.shortNames ?? []) {
        if ((an.shortNames ?? []).includes(s)) return { reason: 'ShortNamesConflict', message: `"${s}" is already in use` };
      }
    }
    return undefined;
  }

  #install(crd: CustomResourceDefinition, names: CustomResourceDefinitionNames): void {
    const name = crd.metadata.name!;
    const current = customResourcesOf(name)[0]?.custom;
    const regs = this.#deps.registries;
    const { served, storage } = resourceInfos(crd, names);
    if (!storage) return;
    const key = registryKey(storage);
    if (current && current.generation === crd.metadata.resourceVersion && regs.has(key)) return;
    const defs: Definitions = {};
    for (const v of crd.spec.versions) {
      if (!v.served) continue;
      Object.assign(defs, customDefinitions({ group: crd.spec.group, version: v.name, kind: names.kind }, names.listKind ?? `${names.kind}List`, v.schema?.openAPIV3Schema));
    }
    setCustomDefinitions(name, defs);
    regs.set(key, this.#deps.newRegistry(storage));
    setCustomResources(name, served);
    this.#deps.log.info({ crd: name, versions: served.map((s) => s.version) }, 'serving custom resource');
  }

  #drop(name: string): void {
    const infos = customResourcesOf(name);
    if (infos[0]) this.#deps.registries.delete(registryKey(infos[0]));
    setCustomResources(name, []);
    setCustomDefinitions(name, {});
  }

  /** Delete every object of the CRD, then let the CRD go (crd_finalizer.go). */
  async #finalize(crd: CustomResourceDefinition): Promise<void> {
    const name = crd.metadata.name!;
    const crds = this.#deps.registries.get(CRD_REGISTRY)!;
    if (!(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) return;
    const now = rfc3339(new Date());
    const terminating = crd.status?.conditions?.find((c) => c.type === 'Terminating');
    if (terminating?.status !== 'True') {
      await crds.update('', name, (cur) => {
        if (!cur) throw new Error('gone');
        const status = (cur.status ?? {}) as Record<string, unknown>;
        const conds = setCondition((status.conditions ?? []) as CustomResourceDefinitionCondition[],
          { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }, now);
        return { ...cur, status: { ...status, conditions: conds } };
      }, systemContext(), { subresource: 'status' });
      return;
    }
    // After a restart a terminating CRD was never installed: serve it long enough to empty it.
    const accepted = crd.status?.acceptedNames;
    if (customResourcesOf(name).length === 0 && accepted?.plural) this.#install(crd, accepted);
    const infos = customResourcesOf(name);
    if (infos.length && !infos[0]!.custom?.terminating) {
      setCustomResources(name, infos.map((i) => ({ ...i, custom: { ...i.custom!, terminating: true } })));
    }
    const registry = infos[0] ? this.#deps.registries.get(registryKey(infos[0])) : undefined;
    if (registry) {
      const ctx = systemContext();
      let remaining = 0;
      for (const o of (await registry.listCached('', true)).items) {
        try {
          const r = await registry.delete(o.obj.metadata.namespace ?? '', o.obj.metadata.name ?? '', {}, ctx);
          if (!r.deleted) remaining++;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      if (remaining > 0) {
        // Objects held by their own finalizers: look again shortly (upstream requeues the same way).
        setTimeout(() => { this.#queue.add(name); this.#wake?.(); }, 1000).unref();
        return;
      }
    }
    // The resource stops being served before the CRD goes, so nothing new is created meanwhile.
    this.#drop(name);
    try {
      await crds.update('', name, (cur) => {
        if (!cur) throw new Error('gone');
        const status = (cur.status ?? {}) as Record<string, unknown>;
        const conds = setCondition((status.conditions ?? []) as CustomResourceDefinitionCondition[],
          { type: 'Terminating', status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' }, now);
        return { ...cur, status: { ...status, conditions: conds } };
      }, systemContext(), { subresource: 'status' });
      await crds.update('', name, (cur) => {
        if (!cur) throw new Error('gone');
        const next: KubeObject = structuredClone(cur);
        next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
        return next;
      }, systemContext());
    } catch (err) {
      if (!(isStatusError(err) && err.code === 404)) throw err;
    }
  }
}
