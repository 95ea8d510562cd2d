// Prometheus metrics under the upstream names (k8s.io/apiserver/pkg/endpoints/metrics).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  requests: Counter<'verb' | 'group' | 'version' | 'resource' | 'subresource' | 'scope' | 'component' | 'code'>;
  duration: Histogram<'verb' | 'group' | 'version' | 'resource' | 'subresource' | 'scope' | 'component'>;
  storageObjects: Gauge<'resource'>;
  watchers: Gauge<'group' | 'version' | 'kind'>;
  longRunning: Gauge<'verb' | 'group' | 'version' | 'resource' | 'subresource' | 'scope' | 'component'>;
  inflight: Gauge<'request_kind'>;
}

export function createMetrics(collect: {
  storageObjects: () => Array<[string, number]>;
  watchers: () => Array<[{ group: string; version: string; kind: string }, number]>;
  /** Requests holding an in-flight slot, by kind (readOnly, mutating). */
  inflight?: () => Array<[string, number]>;
}): ApiMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, group, version, resource, scope, component, and HTTP response code.',
    labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component', 'code'], registers: [registry],
  });
  const duration = new Histogram({
    name: 'apiserver_request_duration_seconds', help: 'Response latency distribution in seconds for each verb, group, version, resource, subresource, scope and component.',
    labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'], registers: [registry],
    buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
  });
  const storageObjects = new Gauge({
    name: 'apiserver_storage_objects', help: 'Number of stored objects at the time of last check split by kind.',
    labelNames: ['resource'], registers: [registry],
    collect() {
      this.reset();
      for (const [r, n] of collect.storageObjects()) this.set({ resource: r }, n);
    },
  });
  const watchers = new Gauge({
    name: 'apiserver_registered_watchers', help: 'Number of currently registered watchers for a given resources',
    labelNames: ['group', 'version', 'kind'], registers: [registry],
    collect() {
      this.reset();
      for (const [gvk, n] of collect.watchers()) this.set(gvk, n);
    },
  });
  const longRunning = new Gauge({
    name: 'apiserver_longrunning_requests', help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.',
    labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'], registers: [registry],
  });
  const inflight = new Gauge({
    name: 'apiserver_current_inflight_requests', help: 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
    labelNames: ['request_kind'], registers: [registry],
    collect() {
      this.reset();
      for (const [kind, n] of collect.inflight?.() ?? []) this.set({ request_kind: kind }, n);
    },
  });
  return { registry, requests, duration, storageObjects, watchers, longRunning, inflight };
}

type RequestLabels = { verb: string; group: string; version: string; resource: string; subresource: string; scope: string; component: string };

/**
 * Per-request recording with the labelled children looked up once per label set: prom-client
 * hashes label objects on every call, which shows on the hot path.
 */
export function requestRecorder(m: ApiMetrics): (l: RequestLabels, code: number, seconds: number | undefined) => void {
  const counters = new Map<string, ReturnType<ApiMetrics['requests']['labels']>>();
  const histograms = new Map<string, ReturnType<ApiMetrics['duration']['labels']>>();
  return (l, code, seconds) => {
    const base = `${l.verb}|${l.group}|${l.version}|${l.resource}|${l.subresource}|${l.scope}`;
    const ck = `${base}|${code}`;
    let c = counters.get(ck);
    if (!c) { c = m.requests.labels({ ...l, code: String(code) }); counters.set(ck, c); }
    c.inc();
    if (seconds === undefined) return;
    let h = histograms.get(base);
    if (!h) { h = m.duration.labels(l); histograms.set(base, h); }
    h.observe(seconds);
  };
}
