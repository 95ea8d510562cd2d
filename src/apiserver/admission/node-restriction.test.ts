import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { lookupResource } from '../../api/scheme.ts';
import type { Node, Pod } from '../../api/types/core-v1.ts';
import { createCsr } from '../auth/certs.ts';
import { forbiddenNodeLabels, nodeRestriction } from './node-restriction.ts';
import type { AdmissionAttributes, UserInfo } from './types.ts';

const N1: UserInfo = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };

const MINE: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name: 'mine', uid: 'u-mine', labels: { app: 'a' } }, spec: { nodeName: 'n1', containers: [] } };
const THEIRS: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name: 'theirs', uid: 'u-theirs' }, spec: { nodeName: 'n2', containers: [] } };
const PODS: Record<string, Pod> = { mine: MINE, theirs: THEIRS };
const NODE: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'node-uid', labels: { 'kubernetes.io/hostname': 'n1' } }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } };

const plugin = nodeRestriction({ pod: async (ns, name) => (ns === 'ns' ? PODS[name] : undefined), node: async (name) => (name === 'n1' ? NODE : undefined) });

function attrs(resource: string, group: string, a: Partial<AdmissionAttributes>): AdmissionAttributes {
  const info = lookupResource(group, 'v1', resource);
  assert.ok(info, resource);
  return { info, operation: 'CREATE', namespace: '', name: '', subresource: '', user: N1, dryRun: false, warn: () => {}, ...a };
}

async function refusal(a: AdmissionAttributes): Promise<string | undefined> {
  try {
    await plugin.mutate!(a);
    return undefined;
  } catch (err) {
    assert.ok(isStatusError(err));
    return `${err.code} ${err.message}`;
  }
}

const mirror = (over: Record<string, unknown> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { namespace: 'ns', name: 'static-n1', annotations: { 'kubernetes.io/config.mirror': 'h' }, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'node-uid', controller: true }] },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }], ...over },
});

test('users other than nodes are not judged', async () => {
  assert.equal(await refusal(attrs('pods', '', { user: { name: 'jane', groups: [] }, operation: 'DELETE', namespace: 'ns', name: 'theirs' })), undefined);
});

test('pods: a node creates only mirror pods bound to and owned by itself that reference nothing', async () => {
  assert.equal(await refusal(attrs('pods', '', { namespace: 'ns', object: mirror() })), undefined);
  const plain = mirror();
  delete plain.metadata.annotations;
  assert.equal(await refusal(attrs('pods', '', { namespace: 'ns', object: plain })), '403 pods "static-n1" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods');
  assert.equal(await refusal(attrs('pods', '', { namespace: 'ns', object: mirror({ nodeName: 'n2' }) })), '403 pods "static-n1" is forbidden: node "n1" can only create pods with spec.nodeName set to itself');
  assert.equal(await refusal(attrs('pods', '', { namespace: 'ns', object: mirror({ volumes: [{ name: 'v', secret: { secretName: 's' } }] }) })), '403 pods "static-n1" is forbidden: node "n1" can not create pods that reference secrets');
  assert.equal(await refusal(attrs('pods', '', { namespace: 'ns', object: mirror({ serviceAccountName: 'sa' }) })), '403 pods "static-n1" is forbidden: node "n1" can not create pods that reference a service account');
  const wrongUid = mirror();
  wrongUid.metadata.ownerReferences![0]!.uid = 'other';
  assert.equal(await refusal(attrs('pods', '', { namespace: 'ns', object: wrongUid })), '403 pods "static-n1" is forbidden: node n1 UID mismatch: expected other got node-uid');
});

test('pods: deletes, evictions and status only of its own pods; no other updates', async () => {
  assert.equal(await refusal(attrs('pods', '', { operation: 'DELETE', namespace: 'ns', name: 'mine', oldObject: MINE })), undefined);
  assert.equal(await refusal(attrs('pods', '', { operation: 'DELETE', namespace: 'ns', name: 'theirs', oldObject: THEIRS })), '403 pods "theirs" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself');
  assert.equal(await refusal(attrs('pods', '', { operation: 'UPDATE', namespace: 'ns', name: 'mine', object: MINE, oldObject: MINE })), '403 pods "mine" is forbidden: unexpected operation "UPDATE", node "n1" can only create and delete mirror pods');
  assert.equal(await refusal(attrs('pods', '', { subresource: 'eviction', namespace: 'ns', name: 'theirs', object: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'theirs' } } })), '403 pods "theirs" is forbidden: node n1 can only evict pods with spec.nodeName set to itself');
  assert.equal(await refusal(attrs('pods', '', { subresource: 'status', operation: 'UPDATE', namespace: 'ns', name: 'mine', object: MINE, oldObject: MINE })), undefined);
  assert.equal(await refusal(attrs('pods', '', { subresource: 'status', operation: 'UPDATE', namespace: 'ns', name: 'theirs', object: THEIRS, oldObject: THEIRS })), '403 pods "theirs" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself');
  const relabelled = structuredClone(MINE);
  relabelled.metadata.labels = { app: 'b' };
  assert.equal(await refusal(attrs('pods', '', { subresource: 'status', operation: 'UPDATE', namespace: 'ns', name: 'mine', object: relabelled, oldObject: MINE })), '403 pods "mine" is forbidden: node "n1" cannot update labels through pod status');
  assert.equal(await refusal(attrs('pods', '', { subresource: 'exec', namespace: 'ns', name: 'mine' })), '403 pods "mine" is forbidden: unexpected pod subresource "exec", only \'status\' and \'eviction\' are allowed');
});

test('nodes: only its own; no restricted labels; taints fixed after registration', async () => {
  const other = { ...NODE, metadata: { ...NODE.metadata, name: 'n2' } };
  assert.equal(await refusal(attrs('nodes', '', { operation: 'UPDATE', name: 'n2', object: other, oldObject: other })), '403 nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
  const withLabels = (labels: Record<string, string>): Node => ({ ...NODE, metadata: { ...NODE.metadata, labels: { ...NODE.metadata.labels, ...labels } } });
  assert.equal(await refusal(attrs('nodes', '', { object: withLabels({ 'node-restriction.kubernetes.io/pool': 'x', 'node-role.kubernetes.io/master': '' }) })), '403 nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-restriction.kubernetes.io/pool, node-role.kubernetes.io/master');
  assert.equal(await refusal(attrs('nodes', '', { object: withLabels({ 'node.kubernetes.io/exclude-from-external-load-balancers': 'true', team: 'a' }) })), undefined);
  assert.equal(await refusal(attrs('nodes', '', { operation: 'UPDATE', name: 'n1', object: withLabels({ 'example.node-restriction.kubernetes.io/x': 'y' }), oldObject: NODE })), '403 nodes "n1" is forbidden: is not allowed to modify labels: example.node-restriction.kubernetes.io/x');
  const untainted = { ...NODE, spec: {} } as Node;
  assert.equal(await refusal(attrs('nodes', '', { operation: 'UPDATE', name: 'n1', object: untainted, oldObject: NODE })), '403 nodes "n1" is forbidden: node "n1" is not allowed to modify taints');
  assert.equal(await refusal(attrs('nodes', '', { operation: 'UPDATE', subresource: 'status', name: 'n1', object: NODE, oldObject: NODE })), undefined);
  assert.deepEqual(forbiddenNodeLabels(['kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'kubelet.kubernetes.io/x', 'foo.k8s.io/bar']), ['foo.k8s.io/bar']);
});

test('leases and tokens: its own lease; tokens bound to its own pods', async () => {
  const lease = (name: string): KubeObject => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace: 'kube-node-lease', name } });
  assert.equal(await refusal(attrs('leases', 'coordination.k8s.io', { namespace: 'kube-node-lease', object: lease('n1') })), undefined);
  assert.equal(await refusal(attrs('leases', 'coordination.k8s.io', { namespace: 'kube-node-lease', object: lease('n2') })), '403 leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node');
  const tr = (ref: Record<string, string> | undefined): KubeObject => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { boundObjectRef: ref } });
  const sa = (ref: Record<string, string> | undefined): AdmissionAttributes => attrs('serviceaccounts', '', { subresource: 'token', namespace: 'ns', name: 'default', object: tr(ref) });
  assert.equal(await refusal(sa({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'u-mine' })), undefined);
  assert.equal(await refusal(sa(undefined)), '403 serviceaccounts "default" is forbidden: node requested token not bound to a pod');
  assert.equal(await refusal(sa({ apiVersion: 'v1', kind: 'Pod', name: 'theirs', uid: 'u-theirs' })), '403 serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node');
  assert.equal(await refusal(sa({ apiVersion: 'v1', kind: 'Pod', name: 'gone', uid: 'x' })), '404 pods "gone" not found');
});

test('certificate requests for the kubelet signers name the node itself', async () => {
  const { csrPem } = await createCsr('system:node:n2', ['system:nodes']);
  const info = lookupResource('certificates.k8s.io', 'v1', 'certificatesigningrequests');
  if (!info) return; // the CSR API is served once the certificates.k8s.io group is in the scheme
  const csr = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'c' }, spec: { signerName: 'kubernetes.io/kube-apiserver-client-kubelet', request: Buffer.from(csrPem).toString('base64') } } as KubeObject;
  assert.equal(await refusal({ info, operation: 'CREATE', namespace: '', name: '', subresource: '', user: N1, dryRun: false, warn: () => {}, object: csr }), '403 certificatesigningrequests.certificates.k8s.io "c" is forbidden: can only create a node CSR with CN=system:node:n1');
});
