// Pod and pod template defaults (pkg/apis/core/v1/defaults.go: SetDefaults_Pod, SetDefaults_PodSpec,
// SetDefaults_Container, SetDefaults_Probe, SetDefaults_Volume and friends).
import { def, ensureObj, isObj, objAt, objsAt, type Obj } from './obj.ts';

const DEFAULT_MODE = 0o644; // 420

/** The tag of an image reference: "latest" when it has neither tag nor digest (docker/distribution reference). */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  if (colon >= 0) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

function defaultHTTPGet(handler: Obj | undefined): void {
  const get = handler && objAt(handler, 'httpGet');
  if (!get) return;
  def(get, 'path', '/');
  def(get, 'scheme', 'HTTP');
}

function defaultProbe(c: Obj, key: string): void {
  const p = objAt(c, key);
  if (!p) return;
  def(p, 'timeoutSeconds', 1);
  def(p, 'periodSeconds', 10);
  def(p, 'successThreshold', 1);
  def(p, 'failureThreshold', 3);
  defaultHTTPGet(p);
  const grpc = objAt(p, 'grpc');
  if (grpc) def(grpc, 'service', '');
}

function defaultEnv(c: Obj): void {
  for (const e of objsAt(c, 'env')) {
    const from = objAt(e, 'valueFrom');
    if (!from) continue;
    const fieldRef = objAt(from, 'fieldRef');
    if (fieldRef) def(fieldRef, 'apiVersion', 'v1');
    const resRef = objAt(from, 'resourceFieldRef');
    if (resRef) def(resRef, 'divisor', '0');
  }
}

function defaultContainer(c: Obj, hostNetwork: boolean): void {
  if (c.imagePullPolicy === undefined || c.imagePullPolicy === '') {
    c.imagePullPolicy = imageTag(typeof c.image === 'string' ? c.image : '') === 'latest' ? 'Always' : 'IfNotPresent';
  }
  def(c, 'terminationMessagePath', '/dev/termination-log');
  def(c, 'terminationMessagePolicy', 'File');
  for (const p of objsAt(c, 'ports')) {
    def(p, 'protocol', 'TCP');
    if (hostNetwork) def(p, 'hostPort', p.containerPort);
  }
  const resources = ensureObj(c, 'resources');
  // Requests default to limits for any resource with a limit but no request.
  const limits = objAt(resources, 'limits');
  if (limits && Object.keys(limits).length) {
    const requests = ensureObj(resources, 'requests');
    for (const [k, v] of Object.entries(limits)) if (requests[k] === undefined) requests[k] = v;
  }
  defaultProbe(c, 'livenessProbe');
  defaultProbe(c, 'readinessProbe');
  defaultProbe(c, 'startupProbe');
  const lifecycle = objAt(c, 'lifecycle');
  if (lifecycle) {
    defaultHTTPGet(objAt(lifecycle, 'postStart'));
    defaultHTTPGet(objAt(lifecycle, 'preStop'));
  }
  defaultEnv(c);
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

export const volumeSourceNames: readonly string[] = VOLUME_SOURCES;

function defaultVolume(v: Obj): void {
  if (!VOLUME_SOURCES.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = objAt(v, k);
    if (src) def(src, 'defaultMode', DEFAULT_MODE);
  }
  const hostPath = objAt(v, 'hostPath');
  if (hostPath) def(hostPath, 'type', '');
  const iscsi = objAt(v, 'iscsi');
  if (iscsi) def(iscsi, 'iscsiInterface', 'default');
  const rbd = objAt(v, 'rbd');
  if (rbd) {
    def(rbd, 'pool', 'rbd');
    def(rbd, 'user', 'admin');
    def(rbd, 'keyring', '/etc/ceph/keyring');
  }
  const projected = objAt(v, 'projected');
  for (const s of projected ? objsAt(projected, 'sources') : []) {
    const token = objAt(s, 'serviceAccountToken');
    if (token) def(token, 'expirationSeconds', 3600);
    const downward = objAt(s, 'downwardAPI');
    for (const item of downward ? objsAt(downward, 'items') : []) {
      const fieldRef = objAt(item, 'fieldRef');
      if (fieldRef) def(fieldRef, 'apiVersion', 'v1');
    }
  }
  const downward = objAt(v, 'downwardAPI');
  for (const item of downward ? objsAt(downward, 'items') : []) {
    const fieldRef = objAt(item, 'fieldRef');
    if (fieldRef) def(fieldRef, 'apiVersion', 'v1');
  }
  const ephemeral = objAt(v, 'ephemeral');
  const claim = ephemeral && objAt(ephemeral, 'volumeClaimTemplate');
  const claimSpec = claim && objAt(claim, 'spec');
  if (claimSpec) def(claimSpec, 'volumeMode', 'Filesystem');
}

export interface PodSpecDefaultOptions {
  /** Job templates must choose OnFailure or Never themselves, so theirs is left unset. */
  restartPolicy?: boolean;
}

export function defaultPodSpec(spec: Obj, opts: PodSpecDefaultOptions = {}): void {
  def(spec, 'dnsPolicy', 'ClusterFirst');
  if (opts.restartPolicy !== false) def(spec, 'restartPolicy', 'Always');
  def(spec, 'terminationGracePeriodSeconds', 30);
  def(spec, 'schedulerName', 'default-scheduler');
  def(spec, 'enableServiceLinks', true);
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  const hostNetwork = spec.hostNetwork === true;
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of objsAt(spec, key)) defaultContainer(c, hostNetwork);
  }
  for (const v of objsAt(spec, 'volumes')) defaultVolume(v);
}

/** A pod template (spec.template of workloads): its pod spec gets pod defaults. */
export function defaultPodTemplate(template: unknown, opts: PodSpecDefaultOptions = {}): void {
  if (!isObj(template)) return;
  const spec = objAt(template, 'spec');
  if (spec) defaultPodSpec(spec, opts);
}

export function defaultPod(pod: Obj): void {
  const spec = ensureObj(pod, 'spec');
  // spec.priority and spec.preemptionPolicy are not defaulted: the Priority admission plugin
  // resolves them from the pod's priority class (a default would read as a client-set priority).
  defaultPodSpec(spec);
}
