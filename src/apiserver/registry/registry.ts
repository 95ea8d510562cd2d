// The generic registry: create, get, list, update, patch and delete for any built-in resource, on
// the store, with the metadata rules Kubernetes applies (uid, generateName, generation, finalizers,
// graceful deletion, managedFields). Mirrors k8s.io/apiserver/pkg/registry/generic/registry/store.go.
// Objects here are in the storage version; handlers convert to and from the version served.
import { randomUUID } from 'node:crypto';
import { alreadyExists, badRequest, conflict, invalid, MODIFIED_CONFLICT, notFound, truncateEcho, type FieldError, type GroupResource } from '../../api/errors.ts';
import type { DeleteOptions, KubeObject, ManagedFieldsEntry } from '../../api/meta.ts';
import { apiVersionOf, type ResourceInfo } from '../../api/scheme.ts';
import type { KeyValue, Store } from '../../store/types.ts';
import { isKeyNotFound, isRVConflict } from '../../store/errors.ts';
import { admit, type AdmissionPlugin, type UserInfo } from '../admission/types.ts';
import { materialize, type CachedObject, type WatchCache } from '../cache/watch-cache.ts';
import { listPrefix, objectKey } from './keys.ts';
import { gracePeriod, prepareForCreate, prepareForUpdate } from './strategy.ts';
import { translateStoreError } from './translate-errors.ts';

const noWarnings = (): void => {};

/** What a write needs to know about who asks and how. */
export interface WriteContext {
  user: UserInfo;
  /** Field manager recorded in managedFields. */
  manager: string;
  /** apiVersion the client spoke, recorded in managedFields. */
  apiVersion: string;
  dryRun: boolean;
  now: Date;
  /** Set for server-side apply: managedFields were already computed by the apply. */
  applied?: boolean;
  /** Where admission's warnings go (the response's Warning headers); dropped when absent. */
  warn?: (message: string) => void;
}

/** Kind-specific checks and defaults, supplied by the server (src/api/defaults and validation). */
export interface RegistryHooks {
  /** `ctx` says which version the client spoke (custom resources default and validate in it). */
  defaults(info: ResourceInfo, obj: KubeObject, ctx?: WriteContext): void;
  validateCreate(info: ResourceInfo, obj: KubeObject, ctx?: WriteContext): FieldError[];
  validateUpdate(info: ResourceInfo, obj: KubeObject, old: KubeObject, ctx?: WriteContext): FieldError[];
  /** managedFields for a non-apply write. */
  managedFields(old: KubeObject | undefined, next: KubeObject, ctx: WriteContext, subresource: string): ManagedFieldsEntry[] | undefined;
}

export interface DeleteResult {
  obj: KubeObject;
  /** False when the object remains, marked with deletionTimestamp (graceful deletion or finalizers). */
  deleted: boolean;
}

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function generateSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += SUFFIX_ALPHABET[Math.floor(Math.random() * SUFFIX_ALPHABET.length)];
  return s;
}

function stripForStorage(obj: KubeObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}

function sameContent(a: KubeObject, b: KubeObject): boolean {
  return stripForStorage(a) === stripForStorage(b);
}

function withRV(obj: KubeObject, rev: number): KubeObject {
  obj.metadata.resourceVersion = String(rev);
  return obj;
}

export class Registry {
  readonly info: ResourceInfo;
  readonly gr: GroupResource;
  readonly #store: Store;
  readonly #cache: WatchCache;
  readonly #hooks: RegistryHooks;
  readonly #admission: readonly AdmissionPlugin[];

  constructor(info: ResourceInfo, deps: { store: Store; cache: WatchCache; hooks: RegistryHooks; admission: readonly AdmissionPlugin[] }) {
    this.info = info;
    this.gr = { group: info.group, resource: info.resource };
    this.#store = deps.store;
    this.#cache = deps.cache;
    this.#hooks = deps.hooks;
    this.#admission = deps.admission;
  }

  key(namespace: string, name: string): string { return objectKey(this.info, namespace, name); }
  prefix(namespace: string): string { return listPrefix(this.info, namespace); }

  /** A consistent read through the cache. */
  async get(namespace: string, name: string): Promise<CachedObject> {
    await this.#cache.sync();
    const o = this.#cache.get(this.key(namespace, name));
    if (!o) throw notFound(this.gr, name);
    return o;
  }

  async #getFromStore(namespace: string, name: string): Promise<{ kv: KeyValue; obj: KubeObject } | undefined> {
    try {
      const kv = await this.#store.get(this.key(namespace, name));
      return { kv, obj: materialize(kv.key, kv.value, kv.modRevision).obj };
    } catch (err) {
      if (isKeyNotFound(err)) return undefined;
      throw translateStoreError(err, this.gr, name);
    }
  }

  async create(namespace: string, input: KubeObject, ctx: WriteContext): Promise<KubeObject> {
    const obj = structuredClone(input);
    const meta = obj.metadata;
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (this.info.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    // The prefix is cut so the name fits 63 characters (apiserver/pkg/storage/names/generate.go).
    if (!meta.name && meta.generateName) meta.name = meta.generateName.slice(0, 58) + generateSuffix();
    const name = meta.name ?? '';
    if (!name) {
      throw invalid(this.info.kind, this.info.group, '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }]);
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(ctx.now);
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    prepareForCreate(this.info, obj, ctx.user);
    this.#hooks.defaults(this.info, obj, ctx);
    await admit(this.#admission, { info: this.info, operation: 'CREATE', namespace, name, subresource: '', object: obj, user: ctx.user, dryRun: ctx.dryRun, apiVersion: ctx.apiVersion, warn: ctx.warn ?? noWarnings });
    const errs = this.#hooks.validateCreate(this.info, obj, ctx);
    if (errs.length) throw invalid(this.info.kind, this.info.group, name, errs);
    const mf = this.#hooks.managedFields(undefined, obj, ctx, '');
    if (mf) meta.managedFields = mf;
    if (ctx.dryRun) {
      const existing = await this.#getFromStore(namespace, name);
      if (existing) throw alreadyExists(this.gr, name);
      return obj;
    }
    try {
      const kv = await this.#store.create(this.key(namespace, name), stripForStorage(obj));
      return withRV(obj, kv.modRevision);
    } catch (err) {
      throw translateStoreError(err, this.gr, name);
    }
  }

  /**
   * Read-modify-write: `mutate` gets the current object (undefined if absent and `allowCreate`)
   * and returns the desired one; retried on write conflicts unless the result pins a resourceVersion.
   */
  async update(
    namespace: string,
    name: string,
    mutate: (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>,
    ctx: WriteContext,
    opts: { subresource?: string; allowCreate?: boolean } = {},
  ): Promise<{ obj: KubeObject; created: boolean }> {
    const subresource = opts.subresource ?? '';
    for (let attempt = 0; ; attempt++) {
      const cur = await this.#getFromStore(namespace, name);
      if (!cur) {
        if (!opts.allowCreate) throw notFound(this.gr, name);
        const desired = await mutate(undefined);
        desired.metadata.name ??= name;
        if (desired.metadata.name !== name) throw badRequest(`the name of the object (${truncateEcho(String(desired.metadata.name))}) does not match the name on the URL (${name})`);
        delete desired.metadata.resourceVersion;
        return { obj: await this.create(namespace, desired, ctx), created: true };
      }
      const desired = structuredClone(await mutate(structuredClone(cur.obj)));
      const pinned = desired.metadata.resourceVersion;
      if (desired.metadata.name !== undefined && desired.metadata.name !== name) {
        throw badRequest(`the name of the object (${truncateEcho(String(desired.metadata.name))}) does not match the name on the URL (${name})`);
      }
      if (this.info.namespaced && desired.metadata.namespace && desired.metadata.namespace !== namespace) {
        throw badRequest(`the namespace of the object (${truncateEcho(String(desired.metadata.namespace))}) does not match the namespace on the request (${namespace})`);
      }
      if (desired.metadata.uid && desired.metadata.uid !== cur.obj.metadata.uid) {
        throw conflict(this.gr, name, `Precondition failed: UID in precondition: ${desired.metadata.uid}, UID in object meta: ${cur.obj.metadata.uid}`);
      }
      if (pinned && pinned !== String(cur.kv.modRevision)) throw conflict(this.gr, name, MODIFIED_CONFLICT);
      let next = prepareForUpdate(this.info, desired, cur.obj, subresource);
      if (subresource === '' || subresource === 'scale') this.#hooks.defaults(this.info, next, ctx);
      await admit(this.#admission, { info: this.info, operation: 'UPDATE', namespace, name, subresource, object: next, oldObject: cur.obj, user: ctx.user, dryRun: ctx.dryRun, apiVersion: ctx.apiVersion, warn: ctx.warn ?? noWarnings });
      // A binding sets spec.nodeName, which no pod update may change: it skips the update rules
      // (pkg/registry/core/pod/storage/storage.go assignPod writes the pod directly).
      const updateErrs = subresource === 'binding' ? [] : this.#hooks.validateUpdate(this.info, next, cur.obj, ctx);
      const errs = [...finalizerErrors(next, cur.obj), ...updateErrs];
      if (errs.length) throw invalid(this.info.kind, this.info.group, name, errs);
      if (sameContent(next, cur.obj)) return { obj: cur.obj, created: false };
      // Bindings write the pod straight to storage upstream (assignPod's GuaranteedUpdate), so the
      // field manager does not record them; at scheduler rates that work would dominate a bind.
      const mf = subresource === 'binding' ? next.metadata.managedFields : this.#hooks.managedFields(cur.obj, next, ctx, subresource);
      if (mf) next.metadata.managedFields = mf;
      else if (mf === undefined && next.metadata.managedFields?.length === 0) delete next.metadata.managedFields;
      if (ctx.dryRun) return { obj: withRV(next, cur.kv.modRevision), created: false };
      const key = this.key(namespace, name);
      try {
        // The last finalizer went from an object whose grace period is over: it goes
        // (registry/generic/registry/store.go ShouldDeleteDuringUpdate). A pod still in its grace
        // period stays while the kubelet writes its final status; the kubelet deletes it after.
        const graceOver = (cur.obj.metadata.deletionGracePeriodSeconds ?? 0) === 0;
        if (next.metadata.deletionTimestamp && graceOver && !(next.metadata.finalizers?.length) && !this.#waitsOnNamespaceFinalizers(next)) {
          const kv = await this.#store.delete(key, cur.kv.modRevision);
          next = withRV(next, kv.modRevision);
          return { obj: next, created: false };
        }
        const kv = await this.#store.update(key, stripForStorage(next), cur.kv.modRevision);
        return { obj: withRV(next, kv.modRevision), created: false };
      } catch (err) {
        if (isRVConflict(err) && !pinned && attempt < 16) continue;
        throw translateStoreError(err, this.gr, name);
      }
    }
  }

  #waitsOnNamespaceFinalizers(obj: KubeObject): boolean {
    if (this.info.storage.resource !== 'namespaces') return false;
    return ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers?.length ?? 0) > 0;
  }

  async delete(namespace: string, name: string, opts: DeleteOptions, ctx: WriteContext): Promise<DeleteResult> {
    for (let attempt = 0; ; attempt++) {
      const cur = await this.#getFromStore(namespace, name);
      if (!cur) throw notFound(this.gr, name);
      const obj = cur.obj;
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== obj.metadata.uid) {
        throw conflict(this.gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== String(cur.kv.modRevision)) {
        throw conflict(this.gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.kv.modRevision}`);
      }
      await admit(this.#admission, { info: this.info, operation: 'DELETE', namespace, name, subresource: '', oldObject: obj, user: ctx.user, dryRun: ctx.dryRun, apiVersion: ctx.apiVersion, warn: ctx.warn ?? noWarnings });

      const next = structuredClone(obj);
      const meta = next.metadata;
      const finalizers = new Set(meta.finalizers ?? []);
      const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : undefined);
      if (policy === 'Foreground') { finalizers.add('foregroundDeletion'); finalizers.delete('orphan'); }
      if (policy === 'Orphan') { finalizers.add('orphan'); finalizers.delete('foregroundDeletion'); }
      if (policy === 'Background') { finalizers.delete('orphan'); finalizers.delete('foregroundDeletion'); }
      const grace = gracePeriod(this.info, obj, opts);
      const namespaceFinalizing = this.#waitsOnNamespaceFinalizers(next);
      const mustWait = finalizers.size > 0 || grace > 0 || namespaceFinalizing;
      const key = this.key(namespace, name);
      try {
        if (!mustWait) {
          if (ctx.dryRun) return { obj, deleted: true };
          const kv = await this.#store.delete(key, cur.kv.modRevision);
          return { obj: withRV(obj, kv.modRevision), deleted: true };
        }
        if (finalizers.size > 0) meta.finalizers = [...finalizers];
        if (!meta.deletionTimestamp) {
          meta.deletionTimestamp = rfc3339(new Date(ctx.now.getTime() + grace * 1000));
          meta.deletionGracePeriodSeconds = grace;
        } else if (grace < (meta.deletionGracePeriodSeconds ?? Infinity)) {
          // A shorter grace period may replace a longer one (kubectl delete --grace-period=0 --force).
          meta.deletionTimestamp = rfc3339(new Date(ctx.now.getTime() + grace * 1000));
          meta.deletionGracePeriodSeconds = grace;
        }
        if (this.info.storage.resource === 'namespaces') next.status = { ...(next.status as object), phase: 'Terminating' };
        if (this.info.storage.resource === 'pods' && grace === 0 && finalizers.size === 0) {
          if (ctx.dryRun) return { obj, deleted: true };
          const kv = await this.#store.delete(key, cur.kv.modRevision);
          return { obj: withRV(obj, kv.modRevision), deleted: true };
        }
        if (sameContent(next, obj)) return { obj, deleted: false };
        if (ctx.dryRun) return { obj: next, deleted: false };
        const kv = await this.#store.update(key, stripForStorage(next), cur.kv.modRevision);
        return { obj: withRV(next, kv.modRevision), deleted: false };
      } catch (err) {
        if (isRVConflict(err) && attempt < 16) continue;
        throw translateStoreError(err, this.gr, name);
      }
    }
  }

  /** Objects under a namespace (or all), from the cache, consistent with the store. */
  async listCached(namespace: string, consistent: boolean, minRevision?: number): Promise<{ items: CachedObject[]; revision: number }> {
    if (consistent) await this.#cache.sync();
    else if (minRevision !== undefined) await this.#cache.waitFor(minRevision);
    return this.#cache.list(this.prefix(namespace));
  }

  /** A page read from the store at a fixed revision (for limit/continue). */
  async listPage(namespace: string, opts: { revision?: number; limit: number; startAfter?: string }): Promise<{ items: CachedObject[]; revision: number; more: boolean; remaining?: number }> {
    try {
      const page = await this.#store.list(this.prefix(namespace), {
        ...(opts.revision ? { revision: opts.revision } : {}),
        limit: opts.limit,
        ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
      });
      const out: { items: CachedObject[]; revision: number; more: boolean; remaining?: number } = {
        items: page.items.map((kv) => materialize(kv.key, kv.value, kv.modRevision)),
        revision: page.revision,
        more: page.more,
      };
      if (page.remaining !== undefined) out.remaining = page.remaining;
      return out;
    } catch (err) {
      throw translateStoreError(err, this.gr, '');
    }
  }

  get apiVersion(): string { return apiVersionOf(this.info); }
}

/** Nothing may add a finalizer to an object on its way out (apimachinery ValidateObjectMetaUpdate). */
function finalizerErrors(next: KubeObject, old: KubeObject): FieldError[] {
  if (!old.metadata.deletionTimestamp) return [];
  const had = new Set(old.metadata.finalizers ?? []);
  const added = (next.metadata.finalizers ?? []).filter((f) => !had.has(f));
  return added.length ? [{ type: 'FieldValueForbidden', field: 'metadata.finalizers', detail: 'no new finalizers can be added if the object is being deleted, found new finalizers []string{' + added.map((f) => JSON.stringify(f)).join(', ') + '}' }] : [];
}

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
