// Paths that are not resources: discovery, version, health, metrics, OpenAPI.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { notServed } from '../../api/errors.ts';
import { lookupResource } from '../../api/scheme.ts';
import { openapiV2Document, openapiV2Protobuf } from '../openapi/v2.ts';
import { openapiV3Document, openapiV3Index } from '../openapi/v3.ts';
import { writeJson, writeJsonDocument, writeRaw } from '../http-io.ts';
import { aggregatedDiscovery, apiGroupDoc, apiGroupList, apiResourceList, apiVersions, wantsAggregated, type ExtraApiGroup } from './discovery.ts';

export const VERSION_INFO = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0-skiff.0.1.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-22T00:00:00Z',
  goVersion: `node${process.versions.node}`,
  compiler: 'tsc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

const PROTOBUF_V2 = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

export interface HealthSource {
  checks(): Array<{ name: string; ok: boolean }>;
}

/** Answer a non-resource path; false if the path is not one. */
export async function handleNonResource(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, deps: { serverAddress: string; health: HealthSource; metrics: () => Promise<string>; extraGroups?: readonly ExtraApiGroup[] }): Promise<boolean> {
  const accept = req.headers.accept;
  const extra = deps.extraGroups ?? [];
  if (path === '/api' || path === '/api/') {
    const agg = wantsAggregated(accept);
    if (agg) writeJson(res, 200, aggregatedDiscovery('api', agg.includes('v2beta1') ? 'apidiscovery.k8s.io/v2beta1' : 'apidiscovery.k8s.io/v2'), agg);
    else writeJson(res, 200, apiVersions(deps.serverAddress));
    return true;
  }
  if (path === '/apis' || path === '/apis/') {
    const agg = wantsAggregated(accept);
    if (agg) writeJson(res, 200, aggregatedDiscovery('apis', agg.includes('v2beta1') ? 'apidiscovery.k8s.io/v2beta1' : 'apidiscovery.k8s.io/v2', extra), agg);
    else writeJson(res, 200, apiGroupList(extra));
    return true;
  }
  let m = /^\/api\/(v1)\/?$/.exec(path);
  if (m) { writeJson(res, 200, apiResourceList('', 'v1')); return true; }
  m = /^\/apis\/([^/]+)\/?$/.exec(path);
  if (m) {
    const doc = apiGroupDoc(m[1]!, extra);
    if (!doc) throw notServed();
    writeJson(res, 200, doc);
    return true;
  }
  m = /^\/apis\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (m) {
    const doc = apiResourceList(m[1]!, m[2]!, extra);
    if (!doc) throw notServed();
    writeJson(res, 200, doc);
    return true;
  }
  // Upstream writes /version indented, with no newline (responsewriters.WriteRawJSON).
  if (path === '/version' || path === '/version/') { writeJsonDocument(res, 200, JSON.stringify(VERSION_INFO, null, 2)); return true; }
  if (path === '/healthz' || path === '/livez' || path === '/readyz' || /^\/(healthz|livez|readyz)\/[^/]+$/.test(path)) {
    const checks = deps.health.checks();
    const only = path.split('/')[2];
    const relevant = only ? checks.filter((c) => c.name === only) : checks;
    // A check this server does not have is not a route (upstream's healthz mux answers 404).
    if (relevant.length === 0) return false;
    const ok = relevant.every((c) => c.ok);
    const text = query.has('verbose')
      ? `${relevant.map((c) => `[${c.ok ? '+' : '-'}]${c.name} ${c.ok ? 'ok' : 'failed'}`).join('\n')}\n${path.slice(1).split('/')[0]} check ${ok ? 'passed' : 'failed'}\n`
      : ok ? 'ok' : `${relevant.filter((c) => !c.ok).map((c) => `[-]${c.name} failed`).join('\n')}\n`;
    writeRaw(res, ok ? 200 : 500, text, 'text/plain; charset=utf-8');
    return true;
  }
  if (path === '/metrics') {
    writeRaw(res, 200, await deps.metrics(), 'text/plain; version=0.0.4; charset=utf-8');
    return true;
  }
  if (path === '/openapi/v2') {
    if ((accept ?? '').includes('protobuf')) writeRaw(res, 200, openapiV2Protobuf(), PROTOBUF_V2);
    else writeJsonDocument(res, 200, JSON.stringify(openapiV2Document()));
    return true;
  }
  if (path === '/openapi/v3' || path === '/openapi/v3/') { writeJsonDocument(res, 200, JSON.stringify(openapiV3Index())); return true; }
  if (path.startsWith('/openapi/v3/')) {
    const key = path.slice('/openapi/v3/'.length);
    const doc = openapiV3Document(key);
    if (!doc) throw notServed();
    const hash = query.get('hash');
    if (hash && hash === doc.hash) res.setHeader('Cache-Control', 'public, immutable');
    res.setHeader('ETag', `"${doc.hash}"`);
    writeRaw(res, 200, doc.body, 'application/json');
    return true;
  }
  return false;
}

export { lookupResource };
