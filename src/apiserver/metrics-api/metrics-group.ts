// metrics.k8s.io/v1beta1 in discovery, as metrics-server registers it (pkg/api/install.go):
// nodes and pods, get and list, no singular names.
import { METRICS_GROUP, METRICS_VERSION } from '../../api/types/metrics-v1beta1.ts';
import type { ExtraApiGroup } from '../handlers/discovery.ts';

export const METRICS_API_GROUP: ExtraApiGroup = {
  group: METRICS_GROUP,
  version: METRICS_VERSION,
  resources: [
    { resource: 'nodes', kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'] },
    { resource: 'pods', kind: 'PodMetrics', namespaced: true, verbs: ['get', 'list'] },
  ],
};
