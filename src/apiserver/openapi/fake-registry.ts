// A small schema registry and resource catalogue for tests: one core kind with the usual
// references, a kind in a named group, and a reference to a definition that does not exist.
import { arr, int, kind, listKind, obj, OBJECT_META, ref, str, strMap, type Definitions, type GVK } from '../../api/schema/dsl.ts';
import type { ResourceInfo } from '../../api/scheme.ts';

const g = (group: string, version: string, k: string): GVK[] => [{ group, version, kind: k }];
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export const FAKE_DEFINITIONS: Definitions = {
  [OBJECT_META]: obj({ name: str('Name.'), namespace: str('Namespace.'), labels: strMap('Labels.') }),
  [`${META}.ListMeta`]: obj({ resourceVersion: str('Version.') }),
  [`${META}.Status`]: kind(g('', 'v1', 'Status'), { message: str('Why.'), code: int('HTTP code.') }, { list: true }),
  [`${META}.Patch`]: { type: 'object', description: 'A patch body.' },
  'io.k8s.api.core.v1.Widget': kind(g('', 'v1', 'Widget'), { spec: ref('io.k8s.api.core.v1.WidgetSpec', 'The desired state.') }),
  'io.k8s.api.core.v1.WidgetList': listKind(g('', 'v1', 'WidgetList'), 'io.k8s.api.core.v1.Widget'),
  'io.k8s.api.core.v1.WidgetSpec': obj({
    size: int('How big.'),
    parts: arr(ref('io.k8s.api.core.v1.Part'), { mergeKey: 'name', d: 'The parts.' }),
    extra: ref('io.k8s.api.core.v1.Missing', 'Points nowhere.'),
  }, { required: ['size'] }),
  'io.k8s.api.core.v1.Part': obj({ name: str('Part name.') }),
  'io.k8s.api.core.v1.Unrelated': obj({ x: str() }),
  'io.k8s.api.fruit.v1.Apple': kind(g('fruit.example.com', 'v1', 'Apple'), { color: str('Colour.') }),
};

const res = (group: string, version: string, resource: string, k: string, namespaced: boolean, subresources: ResourceInfo['subresources'] = []): ResourceInfo => ({
  group, version, resource, singular: k.toLowerCase(), kind: k, listKind: `${k}List`, namespaced, subresources,
  storage: { group, resource }, storageVersion: version, preferred: true,
});

export const FAKE_RESOURCES: ResourceInfo[] = [
  res('', 'v1', 'widgets', 'Widget', true, ['status', 'scale']),
  res('fruit.example.com', 'v1', 'apples', 'Apple', false),
];
