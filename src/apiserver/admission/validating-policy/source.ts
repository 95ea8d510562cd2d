// What the ValidatingAdmissionPolicy plugin reads: policies, bindings, namespaces and parameter
// objects. Upstream reads them from informers; skiff reads the API server's watch cache, which
// is as fresh (eventually consistent with the store), and falls back to a consistent read when a
// parameter object is missing (as upstream's direct get on an informer miss).
import type { KubeObject } from '../../../api/meta.ts';
import { lookupKind, parseApiVersion } from '../../../api/scheme.ts';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from '../../../api/types/admission-policy-v1.ts';
import type { WatchCache } from '../../cache/watch-cache.ts';
import { listPrefix, objectKey } from '../../registry/keys.ts';

export interface ParamStore {
  readonly namespaced: boolean;
  get(namespace: string, name: string): Promise<KubeObject | undefined>;
  list(namespace: string): Promise<KubeObject[]>;
}

export interface PolicySource {
  policies(): readonly ValidatingAdmissionPolicy[];
  bindings(): readonly ValidatingAdmissionPolicyBinding[];
  namespace(name: string): Promise<KubeObject | undefined>;
  /** Where the objects of a paramKind are read, or undefined when the kind is not served. */
  params(apiVersion: string, kind: string): ParamStore | undefined;
}

const POLICIES = { storage: { group: 'admissionregistration.k8s.io', resource: 'validatingadmissionpolicies' }, namespaced: false };
const BINDINGS = { storage: { group: 'admissionregistration.k8s.io', resource: 'validatingadmissionpolicybindings' }, namespaced: false };
const NAMESPACES = { storage: { group: '', resource: 'namespaces' }, namespaced: false };

export interface CacheSourceOptions {
  /** Resolves kinds the static scheme does not know (custom resources); undefined when unknown. */
  resolveKind?: (group: string, version: string, kind: string) => { storage: { group: string; resource: string }; namespaced: boolean } | undefined;
}

export function policySourceFromCache(cache: WatchCache, opts: CacheSourceOptions = {}): PolicySource {
  const get = async (info: { storage: { group: string; resource: string }; namespaced: boolean }, ns: string, name: string): Promise<KubeObject | undefined> => {
    const key = objectKey(info, ns, name);
    const hit = cache.get(key);
    if (hit) return hit.obj;
    // Just created? Read through to the store's revision once before answering "not found".
    await cache.sync();
    return cache.get(key)?.obj;
  };
  return {
    policies: () => cache.list(listPrefix(POLICIES, '')).items.map((o) => o.obj as ValidatingAdmissionPolicy),
    bindings: () => cache.list(listPrefix(BINDINGS, '')).items.map((o) => o.obj as ValidatingAdmissionPolicyBinding),
    namespace: (name) => get(NAMESPACES, '', name),
    params(apiVersion, kind) {
      const { group, version } = parseApiVersion(apiVersion);
      const info = lookupKind(group, version, kind) ?? opts.resolveKind?.(group, version, kind);
      if (!info) return undefined;
      return {
        namespaced: info.namespaced,
        get: (ns, name) => get(info, ns, name),
        async list(ns) {
          await cache.sync();
          return cache.list(listPrefix(info, ns)).items.map((o) => o.obj);
        },
      };
    },
  };
}
