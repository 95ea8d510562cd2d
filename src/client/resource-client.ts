// Typed verbs on one resource: get, list, create, update, patch, delete, watch.
import type { DeleteOptions, KubeList, KubeObject, WatchEvent } from '../api/meta.ts';
import type { ResourceInfo } from '../api/scheme.ts';
import type { RestClient } from './rest-client.ts';
import { watchStream } from './watch.ts';

export type ResourceRef = Pick<ResourceInfo, 'group' | 'version' | 'resource' | 'namespaced'>;

/** Objects as PartialObjectMetadata: metadata only (what the garbage collector needs). */
const METADATA_ONLY = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

export interface ListOptions {
  /** Ask for PartialObjectMetadata instead of whole objects. */
  metadataOnly?: boolean;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions {
  metadataOnly?: boolean;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
  signal: AbortSignal;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const PATCH_CONTENT: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export function resourcePath(r: ResourceRef, namespace: string | undefined, name?: string, subresource?: string): string {
  let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.resource}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

export class ResourceClient<T extends KubeObject = KubeObject> {
  readonly ref: ResourceRef;
  readonly #rest: RestClient;

  constructor(rest: RestClient, ref: ResourceRef) {
    this.#rest = rest;
    this.ref = ref;
  }

  get(namespace: string | undefined, name: string, subresource?: string): Promise<T> {
    return this.#rest.request<T>('GET', resourcePath(this.ref, namespace, name, subresource));
  }

  list(namespace?: string, opts: ListOptions = {}): Promise<KubeList<T>> {
    const { metadataOnly, ...q } = opts;
    return this.#rest.request<KubeList<T>>('GET', resourcePath(this.ref, namespace), { query: { ...q }, ...(metadataOnly ? { accept: METADATA_ONLY } : {}) });
  }

  create(namespace: string | undefined, obj: T, opts: { fieldManager?: string; dryRun?: boolean } = {}): Promise<T> {
    return this.#rest.request<T>('POST', resourcePath(this.ref, namespace), { body: obj, query: { fieldManager: opts.fieldManager, dryRun: opts.dryRun ? 'All' : undefined } });
  }

  update(namespace: string | undefined, obj: T, opts: { subresource?: string; fieldManager?: string } = {}): Promise<T> {
    return this.#rest.request<T>('PUT', resourcePath(this.ref, namespace, obj.metadata.name, opts.subresource), { body: obj, query: { fieldManager: opts.fieldManager } });
  }

  updateStatus(namespace: string | undefined, obj: T): Promise<T> {
    return this.update(namespace, obj, { subresource: 'status' });
  }

  patch(namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: { subresource?: string; fieldManager?: string; force?: boolean } = {}): Promise<T> {
    return this.#rest.request<T>('PATCH', resourcePath(this.ref, namespace, name, opts.subresource), {
      body: typeof patch === 'string' ? patch : JSON.stringify(patch),
      contentType: PATCH_CONTENT[type],
      query: { fieldManager: opts.fieldManager ?? (type === 'apply' ? 'skiff' : undefined), force: opts.force },
    });
  }

  delete(namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<unknown> {
    return this.#rest.request('DELETE', resourcePath(this.ref, namespace, name), { body: { kind: 'DeleteOptions', apiVersion: 'v1', ...opts } });
  }

  /** Events until the server closes the stream or the signal aborts. */
  watch(namespace: string | undefined, opts: WatchOptions): AsyncIterable<WatchEvent<T>> {
    const { signal, metadataOnly, ...q } = opts;
    return watchStream<T>(this.#rest, resourcePath(this.ref, namespace), { watch: 'true', ...q }, signal, metadataOnly ? METADATA_ONLY : undefined);
  }
}
