// NodeRestriction (plugin/pkg/admission/noderestriction/admission.go): what the Node authorizer
// lets every node write, narrowed to the node's own objects, judged on the request's body.
//   pods: only mirror pods bound to itself (created, deleted), status of its own pods, evictions
//     of its own pods; persistentvolumeclaims: status conditions and capacity only;
//   nodes: only its own, without node-restriction.kubernetes.io/ labels or kubernetes.io labels
//     a kubelet does not set, and without changing taints or configSource after registration;
//   leases: its own in kube-node-lease; serviceaccounts/token: bound to one of its pods;
//   csinodes: its own; resourceslices: for its own node; certificatesigningrequests: for the
//     kubelet signers, only CN=system:node:<itself>.
// Users other than nodes pass untouched. Messages are upstream's.
import { isDeepStrictEqual } from 'node:util';
import { forbidden, notFound, type StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Node, Pod } from '../../api/types/core-v1.ts';
import { readCsr } from '../auth/certs.ts';
import { MIRROR_POD_ANNOTATION } from '../authorization/node/graph.ts';
import { NODE_LEASE_NAMESPACE, nodeIdentity } from '../authorization/node/node-authorizer.ts';
import { podConfigMapNames, podSecretNames } from '../authorization/node/pod-references.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

export interface NodeRestrictionSources {
  /** The stored pod, or undefined when there is none. */
  pod(namespace: string, name: string): Promise<Pod | undefined>;
  /** The stored Node, or undefined when there is none. */
  node(name: string): Promise<Node | undefined>;
}

/** The label namespace only administrators set (k8s.io/api/core/v1 LabelNamespaceNodeRestriction). */
export const NODE_RESTRICTION_LABEL_NAMESPACE = 'node-restriction.kubernetes.io';

/** Labels a kubelet may set on its Node (k8s.io/kubelet/pkg/apis well_known_labels.go). */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type', 'node.kubernetes.io/instance-type',
  'kubernetes.io/os', 'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

const KUBELET_SIGNERS = new Set(['kubernetes.io/kubelet-serving', 'kubernetes.io/kube-apiserver-client-kubelet']);

function labelNamespace(key: string): string {
  const i = key.indexOf('/');
  return i < 0 ? '' : key.slice(0, i);
}

function inNamespace(ns: string, of: string): boolean {
  return ns === of || ns.endsWith(`.${of}`);
}

function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((of) => inNamespace(ns, of));
}

function isKubernetesLabel(key: string): boolean {
  const ns = labelNamespace(key);
  return inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
}

/** Keys added, removed or changed between two label maps. */
export function modifiedLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(a ?? {})) if (b?.[k] !== v) out.add(k);
  for (const [k, v] of Object.entries(b ?? {})) if (a?.[k] !== v) out.add(k);
  return [...out];
}

/** The labels among `keys` no node may set (getForbiddenLabels), sorted. */
export function forbiddenNodeLabels(keys: readonly string[]): string[] {
  return keys.filter((k) => inNamespace(labelNamespace(k), NODE_RESTRICTION_LABEL_NAMESPACE) || (isKubernetesLabel(k) && !isKubeletLabel(k))).sort();
}

/** admission.NewForbidden: `<resource> "<name>" is forbidden: <reason>`. */
function refuse(a: AdmissionAttributes, reason: string): StatusError {
  const gr = a.info.group ? `${a.info.resource}.${a.info.group}` : a.info.resource;
  const name = a.name || (a.object?.metadata?.name ?? '');
  return forbidden(`${gr} "${name}" is forbidden: ${reason}`);
}

interface OwnerRef { apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean; blockOwnerDeletion?: boolean }

export function nodeRestriction(src: NodeRestrictionSources): AdmissionPlugin {
  async function admitPod(node: string, a: AdmissionAttributes): Promise<void> {
    if (a.operation === 'CREATE') return admitPodCreate(node, a);
    if (a.operation === 'DELETE') {
      const existing = await src.pod(a.namespace, a.name);
      // Nothing to delete: the registry answers NotFound itself.
      if (!existing) return;
      if (existing.spec?.nodeName !== node) throw refuse(a, `node "${node}" can only delete pods with spec.nodeName set to itself`);
      return;
    }
    throw refuse(a, `unexpected operation "${a.operation}", node "${node}" can only create and delete mirror pods`);
  }

  async function admitPodCreate(node: string, a: AdmissionAttributes): Promise<void> {
    const pod = a.object as Pod;
    if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] === undefined) {
      throw refuse(a, `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`);
    }
    if (pod.spec?.nodeName !== node) throw refuse(a, `node "${node}" can only create pods with spec.nodeName set to itself`);
    const owners = (pod.metadata.ownerReferences ?? []) as OwnerRef[];
    if (owners.length > 1) throw refuse(a, `node "${node}" can only create pods with a single owner reference set to itself`);
    const owner = owners[0];
    if (!owner) throw refuse(a, `node "${node}" can only create pods with an owner reference set to itself`);
    if (owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== node) throw refuse(a, `node "${node}" can only create pods with an owner reference set to itself`);
    if (owner.controller !== true) throw refuse(a, `node "${node}" can only create pods with a controller owner reference set to itself`);
    if (owner.blockOwnerDeletion === true) throw refuse(a, `node "${node}" must not set blockOwnerDeletion on an owner reference`);
    const nodeObj = await src.node(node);
    if (!nodeObj) throw notFound({ group: '', resource: 'nodes' }, node);
    if (owner.uid !== nodeObj.metadata.uid) throw refuse(a, `node ${node} UID mismatch: expected ${owner.uid ?? ''} got ${nodeObj.metadata.uid ?? ''}`);
    // A node may not create a pod that would give it access to other objects.
    if (pod.spec?.serviceAccountName) throw refuse(a, `node "${node}" can not create pods that reference a service account`);
    if (podSecretNames(pod).size > 0) throw refuse(a, `node "${node}" can not create pods that reference secrets`);
    if (podConfigMapNames(pod).size > 0) throw refuse(a, `node "${node}" can not create pods that reference configmaps`);
    for (const v of pod.spec?.volumes ?? []) {
      for (const s of (v.projected?.sources ?? []) as Array<Record<string, unknown>>) {
        if (s.clusterTrustBundle) throw refuse(a, `node "${node}" can not create pods that reference clustertrustbundles`);
      }
    }
    if ((pod.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim)) throw refuse(a, `node "${node}" can not create pods that reference persistentvolumeclaims`);
  }

  function admitPodStatus(node: string, a: AdmissionAttributes): void {
    if (a.operation !== 'UPDATE') throw refuse(a, `unexpected operation "${a.operation}"`);
    const old = a.oldObject as Pod;
    const cur = a.object as Pod;
    if (old.spec?.nodeName !== node) throw refuse(a, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
    if (modifiedLabels(old.metadata.labels, cur.metadata.labels).length > 0) throw refuse(a, `node "${node}" cannot update labels through pod status`);
    const claims = (p: Pod): unknown => (p.status as { resourceClaimStatuses?: unknown } | undefined)?.resourceClaimStatuses ?? [];
    if (!isDeepStrictEqual(claims(old), claims(cur))) throw refuse(a, `node "${node}" cannot update resource claim statues`);
  }

  async function admitPodEviction(node: string, a: AdmissionAttributes): Promise<void> {
    if (a.operation !== 'CREATE') throw refuse(a, `unexpected operation ${a.operation}`);
    const podName = a.name || (a.object?.metadata?.name ?? '');
    if (!podName) throw refuse(a, 'could not determine pod from request data');
    const existing = await src.pod(a.namespace, podName);
    if (!existing) return;
    if (existing.spec?.nodeName !== node) throw refuse(a, `node ${node} can only evict pods with spec.nodeName set to itself`);
  }

  function admitPVCStatus(node: string, a: AdmissionAttributes): void {
    if (a.operation !== 'UPDATE') throw refuse(a, `unexpected operation "${a.operation}"`);
    const strip = (o: KubeObject | undefined): unknown => {
      const c = structuredClone(o ?? {}) as KubeObject & { status?: Record<string, unknown> };
      if (c.metadata) { delete c.metadata.resourceVersion; delete c.metadata.managedFields; }
      if (c.status) {
        for (const f of ['capacity', 'conditions', 'allocatedResources', 'allocatedResourceStatuses']) delete c.status[f];
      }
      return c;
    };
    if (!isDeepStrictEqual(strip(a.oldObject), strip(a.object))) {
      throw refuse(a, `node "${node}" is not allowed to update fields other than status.quantity and status.conditions`);
    }
  }

  function admitNode(node: string, a: AdmissionAttributes): void {
    const requested = a.name || (a.object?.metadata?.name ?? '');
    if (requested !== node) throw refuse(a, `node "${node}" is not allowed to modify node "${requested}"`);
    const cur = a.object as Node | undefined;
    const configSource = (n: Node | undefined): unknown => (n?.spec as { configSource?: unknown } | undefined)?.configSource;
    if (a.operation === 'CREATE' && cur) {
      if (configSource(cur) !== undefined && configSource(cur) !== null) throw refuse(a, `node "${node}" is not allowed to create pods with a non-nil configSource`);
      const bad = forbiddenNodeLabels(modifiedLabels(cur.metadata.labels, undefined));
      if (bad.length > 0) throw refuse(a, `node "${node}" is not allowed to set the following labels: ${bad.join(', ')}`);
    }
    if (a.operation === 'UPDATE' && cur) {
      const old = a.oldObject as Node;
      const cs = configSource(cur);
      if (cs !== undefined && cs !== null && !isDeepStrictEqual(cs, configSource(old))) {
        throw refuse(a, `node "${node}" is not allowed to update configSource to a new non-nil configSource`);
      }
      if (!isDeepStrictEqual(cur.spec?.taints ?? [], old.spec?.taints ?? [])) throw refuse(a, `node "${node}" is not allowed to modify taints`);
      const bad = forbiddenNodeLabels(modifiedLabels(cur.metadata.labels, old.metadata.labels));
      if (bad.length > 0) throw refuse(a, `is not allowed to modify labels: ${bad.join(', ')}`);
    }
  }

  async function admitServiceAccount(node: string, a: AdmissionAttributes): Promise<void> {
    if (a.operation !== 'CREATE' || a.subresource !== 'token') return;
    const ref = (a.object as { spec?: { boundObjectRef?: { apiVersion?: string; kind?: string; name?: string; uid?: string } } } | undefined)?.spec?.boundObjectRef;
    if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name) throw refuse(a, 'node requested token not bound to a pod');
    if (!ref.uid) throw refuse(a, 'node requested token with a pod binding without a uid');
    const pod = await src.pod(a.namespace, ref.name);
    if (!pod) throw notFound({ group: '', resource: 'pods' }, ref.name);
    if (ref.uid !== pod.metadata.uid) throw refuse(a, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    if (pod.spec?.nodeName !== node) throw refuse(a, 'node requested token bound to a pod scheduled on a different node');
  }

  function admitLease(node: string, a: AdmissionAttributes): void {
    if (a.namespace !== NODE_LEASE_NAMESPACE) throw refuse(a, `can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
    const name = a.operation === 'CREATE' ? a.object?.metadata?.name : a.name;
    if (name !== node) throw refuse(a, 'can only access node lease with the same name as the requesting node');
  }

  function admitCSINode(node: string, a: AdmissionAttributes): void {
    const name = a.operation === 'CREATE' ? a.object?.metadata?.name : a.name;
    if (name !== node) throw refuse(a, 'can only access CSINode with the same name as the requesting node');
  }

  function admitResourceSlice(node: string, a: AdmissionAttributes): void {
    const sliceNode = (o: KubeObject | undefined): unknown => (o as { spec?: { nodeName?: string } } | undefined)?.spec?.nodeName;
    if (a.operation === 'CREATE' && sliceNode(a.object) !== node) throw refuse(a, 'can only create ResourceSlice with the same NodeName as the requesting node');
    if (a.operation === 'DELETE' && sliceNode(a.oldObject) !== node) throw refuse(a, 'can only delete ResourceSlice with the same NodeName as the requesting node');
  }

  async function admitCSR(node: string, a: AdmissionAttributes): Promise<void> {
    if (a.operation !== 'CREATE') return;
    const spec = (a.object as { spec?: { signerName?: string; request?: string } } | undefined)?.spec;
    if (!spec?.signerName || !KUBELET_SIGNERS.has(spec.signerName)) return;
    let cn: string | undefined;
    try {
      const facts = await readCsr(Buffer.from(spec.request ?? '', 'base64').toString('utf8'));
      cn = facts.subject.find(([k]) => k === 'CN')?.[1];
    } catch (err) {
      throw refuse(a, `unable to parse csr: ${(err as Error).message}`);
    }
    if (cn !== `system:node:${node}`) throw refuse(a, `can only create a node CSR with CN=system:node:${node}`);
  }

  return {
    name: 'NodeRestriction',
    async mutate(a) {
      const node = nodeIdentity(a.user);
      if (node === undefined) return;
      if (node === '') throw refuse(a, `could not determine node from user "${a.user.name}"`);
      const gr = a.info.group ? `${a.info.resource}.${a.info.group}` : a.info.resource;
      switch (gr) {
        case 'pods':
          if (a.subresource === '') return admitPod(node, a);
          if (a.subresource === 'status') return admitPodStatus(node, a);
          if (a.subresource === 'eviction') return admitPodEviction(node, a);
          throw refuse(a, `unexpected pod subresource "${a.subresource}", only 'status' and 'eviction' are allowed`);
        case 'nodes': return admitNode(node, a);
        case 'persistentvolumeclaims':
          if (a.subresource === 'status') return admitPVCStatus(node, a);
          throw refuse(a, 'may only update PVC status');
        case 'serviceaccounts': return admitServiceAccount(node, a);
        case 'leases.coordination.k8s.io': return admitLease(node, a);
        case 'csinodes.storage.k8s.io': return admitCSINode(node, a);
        case 'resourceslices.resource.k8s.io': return admitResourceSlice(node, a);
        case 'certificatesigningrequests.certificates.k8s.io': return admitCSR(node, a);
        default: return;
      }
    },
  };
}
