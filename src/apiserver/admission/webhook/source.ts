// The webhook plugins' reads, from the API server's watch cache: the configurations (in name order,
// as upstream's configuration manager sorts them), namespaces, Services and EndpointSlices.
import type { KubeObject } from '../../../api/meta.ts';
import type { MutatingWebhookConfiguration, ValidatingWebhookConfiguration } from '../../../api/types/admissionregistration-v1-webhooks.ts';
import type { WatchCache } from '../../cache/watch-cache.ts';
import type { WebhookSource } from './plugin.ts';

const MUTATING = '/registry/admissionregistration.k8s.io/mutatingwebhookconfigurations/';
const VALIDATING = '/registry/admissionregistration.k8s.io/validatingwebhookconfigurations/';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function webhookSourceFromCache(cache: WatchCache): WebhookSource {
  // Configurations are read at the cache's current state, as upstream reads them from an informer
  // (no consistent read per write: a new configuration applies once the cache has seen it, within
  // milliseconds).
  const list = async <T>(prefix: string): Promise<T[]> => (cache.count(prefix) === 0 ? [] : cache.list(prefix).items.map((o) => o.obj as T));
  return {
    mutating: () => list<MutatingWebhookConfiguration>(MUTATING),
    validating: () => list<ValidatingWebhookConfiguration>(VALIDATING),
    namespaceLabels: async (name) => {
      const ns = cache.get(`/registry/core/namespaces/${name}`);
      return ns ? ns.obj.metadata.labels ?? {} : undefined;
    },
    service: (namespace, name) => cache.get(`/registry/core/services/${namespace}/${name}`)?.obj,
    endpointSlices: (namespace, service): KubeObject[] => cache.list(`/registry/discovery.k8s.io/endpointslices/${namespace}/`).items
      .map((o) => o.obj).filter((o) => o.metadata.labels?.[SERVICE_NAME_LABEL] === service),
  };
}
