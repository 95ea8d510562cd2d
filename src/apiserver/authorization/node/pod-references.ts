// The API objects a pod or a persistent volume names, as pkg/api/v1/pod/util.go
// (VisitPodSecretNames, VisitPodConfigmapNames, over every container: init, regular and
// ephemeral) and pkg/api/v1/persistentvolume/util.go (VisitPVSecretNames, the secrets the kubelet
// reads) find them. Read loosely: volume sources skiff does not model still name secrets when a
// stored object carries them.
import type { KubeObject } from '../../../api/meta.ts';

type Loose = Record<string, unknown>;

function obj(v: unknown): Loose | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Loose : undefined;
}

function arr(v: unknown): Loose[] {
  return Array.isArray(v) ? v.map(obj).filter((x): x is Loose => x !== undefined) : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function spec(pod: KubeObject): Loose {
  return obj((pod as { spec?: unknown }).spec) ?? {};
}

function allContainers(s: Loose): Loose[] {
  return [...arr(s.initContainers), ...arr(s.containers), ...arr(s.ephemeralContainers)];
}

/** Volume sources whose `secretRef.name` is a secret in the pod's namespace. */
const POD_VOLUME_SECRET_REFS = ['cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'iscsi', 'storageos'] as const;

/** Every secret a pod names: image pull secrets, env, envFrom, and volumes (sets, no duplicates). */
export function podSecretNames(pod: KubeObject): Set<string> {
  const s = spec(pod);
  const out = new Set<string>();
  const add = (v: unknown): void => { const n = str(v); if (n) out.add(n); };
  for (const r of arr(s.imagePullSecrets)) add(r.name);
  for (const c of allContainers(s)) {
    for (const e of arr(c.envFrom)) add(obj(e.secretRef)?.name);
    for (const e of arr(c.env)) add(obj(obj(e.valueFrom)?.secretKeyRef)?.name);
  }
  for (const v of arr(s.volumes)) {
    add(obj(v.secret)?.secretName);
    add(obj(v.azureFile)?.secretName);
    add(obj(obj(v.csi)?.nodePublishSecretRef)?.name);
    for (const src of POD_VOLUME_SECRET_REFS) add(obj(obj(v[src])?.secretRef)?.name);
    for (const p of arr(obj(v.projected)?.sources)) add(obj(p.secret)?.name);
  }
  return out;
}

/** Every config map a pod names: env, envFrom, configMap volumes and projections. */
export function podConfigMapNames(pod: KubeObject): Set<string> {
  const s = spec(pod);
  const out = new Set<string>();
  const add = (v: unknown): void => { const n = str(v); if (n) out.add(n); };
  for (const c of allContainers(s)) {
    for (const e of arr(c.envFrom)) add(obj(e.configMapRef)?.name);
    for (const e of arr(c.env)) add(obj(obj(e.valueFrom)?.configMapKeyRef)?.name);
  }
  for (const v of arr(s.volumes)) {
    add(obj(v.configMap)?.name);
    for (const p of arr(obj(v.projected)?.sources)) add(obj(p.configMap)?.name);
  }
  return out;
}

/**
 * The claims a pod uses: persistent volume claims (its own, and the `<pod>-<volume>` claim of
 * each generic ephemeral volume) and resource claims (named, or made from a template once
 * status.resourceClaimStatuses records the name: k8s.io/dynamic-resource-allocation/resourceclaim Name).
 */
export function podClaimNames(pod: KubeObject): { pvcs: Set<string>; resourceClaims: Set<string> } {
  const s = spec(pod);
  const pvcs = new Set<string>();
  const resourceClaims = new Set<string>();
  const podName = pod.metadata?.name ?? '';
  for (const v of arr(s.volumes)) {
    const claim = str(obj(v.persistentVolumeClaim)?.claimName);
    if (claim) pvcs.add(claim);
    else if (obj(v.ephemeral) && str(v.name)) pvcs.add(`${podName}-${v.name as string}`);
  }
  const statuses = arr(obj((pod as { status?: unknown }).status)?.resourceClaimStatuses);
  for (const rc of arr(s.resourceClaims)) {
    const named = str(rc.resourceClaimName);
    if (named) { resourceClaims.add(named); continue; }
    if (!str(rc.resourceClaimTemplateName)) continue;
    const made = str(statuses.find((st) => st.name === rc.name)?.resourceClaimName);
    if (made) resourceClaims.add(made);
  }
  return { pvcs, resourceClaims };
}

/** Persistent volume sources whose `secretRef` the kubelet reads (namespace defaults to the claim's). */
const PV_SECRET_REFS = ['cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'iscsi', 'storageos'] as const;
/** CSI secrets the kubelet reads; controllerPublish and controllerExpand are the controllers' only. */
const PV_CSI_KUBELET_SECRETS = ['nodePublishSecretRef', 'nodeStageSecretRef', 'nodeExpandSecretRef'] as const;

/** The secrets a persistent volume names that the node's kubelet reads, with their namespaces. */
export function pvSecretRefs(pv: KubeObject): Array<{ namespace: string; name: string }> {
  const s = obj((pv as { spec?: unknown }).spec) ?? {};
  const claimNs = str(obj(s.claimRef)?.namespace) ?? '';
  const out: Array<{ namespace: string; name: string }> = [];
  const add = (ref: Loose | undefined): void => {
    const name = str(ref?.name);
    if (name) out.push({ namespace: str(ref?.namespace) ?? claimNs, name });
  };
  const azure = obj(s.azureFile);
  if (azure && str(azure.secretName)) out.push({ namespace: str(azure.secretNamespace) ?? claimNs, name: azure.secretName as string });
  for (const src of PV_SECRET_REFS) add(obj(obj(s[src])?.secretRef));
  const csi = obj(s.csi);
  for (const f of PV_CSI_KUBELET_SECRETS) add(obj(csi?.[f]));
  return out;
}
