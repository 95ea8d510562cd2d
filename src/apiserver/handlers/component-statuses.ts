// componentstatuses: the read-only list of control-plane component health
// (pkg/registry/core/componentstatus/rest.go). Upstream probes the scheduler's and controller
// manager's /healthz and each etcd server; here the store is probed for etcd-0 and the process
// that embeds this server reports on the components it runs itself.
import type { ServerResponse } from 'node:http';
import { notFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { ResourceInfo } from '../../api/scheme.ts';
import { writeJson } from '../http-io.ts';
import { toTable } from '../table/index.ts';
import { buildFilter } from './filter.ts';
import { negotiate } from './negotiate.ts';
import { partialMetadata } from './objects.ts';

export interface ComponentHealth {
  name: string;
  healthy: boolean;
  /** `ok` when healthy, else why not (upstream puts probe failures in the condition's `error`). */
  message: string;
}

export interface ComponentStatusRequest {
  res: ServerResponse;
  info: ResourceInfo;
  /** '' for list. */
  name: string;
  query: URLSearchParams;
  accept: string | undefined;
  /** Probes every component now. */
  probe: () => Promise<ComponentHealth[]>;
}

export function componentStatus(h: ComponentHealth): KubeObject {
  const condition: Record<string, string> = { type: 'Healthy', status: h.healthy ? 'True' : 'False' };
  if (h.healthy) condition.message = h.message;
  else condition.error = h.message;
  return { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: h.name }, conditions: [condition] };
}

export async function handleComponentStatuses(r: ComponentStatusRequest): Promise<void> {
  const fmt = negotiate(r.accept);
  const filter = r.name ? undefined : buildFilter(r.info, r.query);
  let items = (await r.probe()).map(componentStatus);
  if (r.name) {
    const one = items.find((o) => o.metadata.name === r.name);
    if (!one) throw notFound({ group: '', resource: 'componentstatuses' }, r.name);
    items = [one];
  } else if (filter) {
    items = items.filter(filter);
  }
  const listMeta = { resourceVersion: '' };
  if (fmt.kind === 'table') {
    writeJson(r.res, 200, { ...toTable(r.info, items, { now: Date.now(), includeObject: 'Metadata', ...(r.name ? {} : { listMeta }) }), apiVersion: fmt.apiVersion });
  } else if (fmt.kind === 'partial') {
    if (r.name) writeJson(r.res, 200, partialMetadata(items[0]!, fmt.apiVersion));
    else writeJson(r.res, 200, { kind: 'PartialObjectMetadataList', apiVersion: fmt.apiVersion, metadata: listMeta, items: items.map((o) => partialMetadata(o, fmt.apiVersion)) });
  } else if (r.name) {
    writeJson(r.res, 200, items[0]);
  } else {
    writeJson(r.res, 200, { kind: 'ComponentStatusList', apiVersion: 'v1', metadata: listMeta, items });
  }
}
