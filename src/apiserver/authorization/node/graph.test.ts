import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/meta.ts';
import { Graph, MIRROR_POD_ANNOTATION } from './graph.ts';
import { podClaimNames, podConfigMapNames, podSecretNames, pvSecretRefs } from './pod-references.ts';

function pod(name: string, nodeName: string | undefined, spec: Record<string, unknown> = {}, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name, ...(extra.metadata ?? {}) },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...(nodeName ? { nodeName } : {}), ...spec },
    ...(extra as { status?: unknown }).status ? { status: (extra as { status?: unknown }).status } : {},
  };
}

const REFS = {
  serviceAccountName: 'sa',
  imagePullSecrets: [{ name: 'pull' }],
  initContainers: [{ name: 'i', image: 'busybox', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'init-env', key: 'k' } } }] }],
  containers: [{
    name: 'c', image: 'busybox',
    envFrom: [{ secretRef: { name: 'env-from' } }, { configMapRef: { name: 'cm-from' } }],
    env: [{ name: 'Y', valueFrom: { configMapKeyRef: { name: 'cm-env', key: 'k' } } }],
  }],
  volumes: [
    { name: 'v1', secret: { secretName: 'vol' } },
    { name: 'v2', configMap: { name: 'cm-vol' } },
    { name: 'v3', projected: { sources: [{ secret: { name: 'proj' } }, { configMap: { name: 'cm-proj' } }] } },
    { name: 'v4', persistentVolumeClaim: { claimName: 'data' } },
    { name: 'v5', ephemeral: { volumeClaimTemplate: { spec: {} } } },
    { name: 'v6', csi: { driver: 'd', nodePublishSecretRef: { name: 'csi' } } },
  ],
  resourceClaims: [{ name: 'gpu', resourceClaimName: 'gpu-claim' }, { name: 'tmpl', resourceClaimTemplateName: 't' }],
};

test('a pod names its secrets, config maps and claims in every place upstream looks', () => {
  const p = pod('web', 'n1', REFS, { status: { resourceClaimStatuses: [{ name: 'tmpl', resourceClaimName: 'web-tmpl-x' }] } });
  assert.deepEqual([...podSecretNames(p)].sort(), ['csi', 'env-from', 'init-env', 'proj', 'pull', 'vol']);
  assert.deepEqual([...podConfigMapNames(p)].sort(), ['cm-env', 'cm-from', 'cm-proj', 'cm-vol']);
  const claims = podClaimNames(p);
  assert.deepEqual([...claims.pvcs].sort(), ['data', 'web-v5']);
  assert.deepEqual([...claims.resourceClaims].sort(), ['gpu-claim', 'web-tmpl-x']);
  assert.deepEqual([...podClaimNames(pod('web', 'n1', REFS)).resourceClaims], ['gpu-claim']);
});

test('a node reaches the objects of pods bound to it, and only those', () => {
  const g = new Graph();
  g.addPod(pod('web', 'n1', REFS));
  for (const [type, name] of [['secret', 'vol'], ['secret', 'pull'], ['configmap', 'cm-from'], ['pvc', 'data'], ['serviceAccount', 'sa'], ['resourceclaim', 'gpu-claim'], ['pod', 'web']] as const) {
    assert.equal(g.hasPathFrom('n1', type, 'ns', name), true, `${type} ${name}`);
    assert.equal(g.hasPathFrom('n2', type, 'ns', name), false, `${type} ${name} from n2`);
  }
  assert.equal(g.hasPathFrom('n1', 'secret', 'other', 'vol'), false, 'same name in another namespace');
  assert.equal(g.hasPathFrom('n1', 'secret', 'ns', 'unrelated'), false);
});

test('a secret shared by pods on two nodes is reachable from both, until its pod on one is deleted', () => {
  const g = new Graph();
  g.addPod(pod('a', 'n1', { volumes: [{ name: 'v', secret: { secretName: 'shared' } }] }));
  g.addPod(pod('b', 'n2', { volumes: [{ name: 'v', secret: { secretName: 'shared' } }] }));
  assert.equal(g.hasPathFrom('n1', 'secret', 'ns', 'shared'), true);
  assert.equal(g.hasPathFrom('n2', 'secret', 'ns', 'shared'), true);
  g.deletePod('ns', 'a');
  assert.equal(g.hasPathFrom('n1', 'secret', 'ns', 'shared'), false);
  assert.equal(g.hasPathFrom('n2', 'secret', 'ns', 'shared'), true);
  g.deletePod('ns', 'b');
  // Nothing references the secret any more: its vertex went with the last edge.
  assert.equal(g.has('secret', 'ns', 'shared'), false);
  assert.equal(g.size, 0);
});

test('re-adding a pod replaces its edges (a rebinding moves access to the new node)', () => {
  const g = new Graph();
  g.addPod(pod('a', 'n1', { volumes: [{ name: 'v', secret: { secretName: 's' } }] }));
  g.addPod(pod('a', 'n2', { volumes: [{ name: 'v', secret: { secretName: 's' } }] }));
  assert.equal(g.hasPathFrom('n1', 'secret', 'ns', 's'), false);
  assert.equal(g.hasPathFrom('n2', 'secret', 'ns', 's'), true);
});

test('an unbound pod and a mirror pod grant nothing beyond the mirror pod itself', () => {
  const g = new Graph();
  g.addPod(pod('pending', undefined, REFS));
  assert.equal(g.size, 0);
  g.addPod(pod('static', 'n1', REFS, { metadata: { annotations: { [MIRROR_POD_ANNOTATION]: 'x' } } }));
  assert.equal(g.hasPathFrom('n1', 'pod', 'ns', 'static'), true);
  assert.equal(g.hasPathFrom('n1', 'secret', 'ns', 'vol'), false);
  assert.equal(g.hasPathFrom('n1', 'serviceAccount', 'ns', 'sa'), false);
});

test('a bound volume and its kubelet secrets are reachable through the pod\'s claim', () => {
  const g = new Graph();
  const pv = {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' },
    spec: { claimRef: { namespace: 'ns', name: 'data' }, csi: { driver: 'd', volumeHandle: 'h', nodeStageSecretRef: { name: 'stage' }, controllerPublishSecretRef: { name: 'ctrl', namespace: 'ns' } } },
  } as KubeObject;
  assert.deepEqual(pvSecretRefs(pv), [{ namespace: 'ns', name: 'stage' }]);
  g.addPV(pv);
  assert.equal(g.hasPathFrom('n1', 'pv', '', 'pv1'), false, 'no pod uses the claim yet');
  g.addPod(pod('db', 'n1', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] }));
  assert.equal(g.hasPathFrom('n1', 'pv', '', 'pv1'), true);
  assert.equal(g.hasPathFrom('n1', 'secret', 'ns', 'stage'), true);
  assert.equal(g.hasPathFrom('n1', 'secret', 'ns', 'ctrl'), false, 'controller-only secrets are not the kubelet\'s');
  assert.equal(g.hasPathFrom('n2', 'pv', '', 'pv1'), false);
  g.deletePV('pv1');
  assert.equal(g.hasPathFrom('n1', 'pv', '', 'pv1'), false);
  assert.equal(g.hasPathFrom('n1', 'pvc', 'ns', 'data'), true);
});
