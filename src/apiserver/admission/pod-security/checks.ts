// The Pod Security Standards checks, each with upstream's forbidden reason and detail, as of the
// latest policy version (k8s.io/pod-security-admission/policy/check_*.go). Reasons and details are
// what kubectl users read in the 403 and in warnings, so their words and orderings follow upstream's:
// container names in visiting order (init, regular, ephemeral), value sets sorted.
import type { ContainerView, HandlerView, PodMetaView, PodSpecView, SELinuxOptionsView } from './pod-view.ts';

export interface CheckResult { allowed: boolean; reason?: string; detail?: string }

export type CheckFn = (meta: PodMetaView, spec: PodSpecView) => CheckResult;

/** One version of a check: in force from policy version v1.`since` until the next one. */
export interface VersionedCheck {
  since: number;
  check: CheckFn;
  /** Baseline checks this restricted check replaces at the restricted level. */
  overrides?: string[];
}

export interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  versions: VersionedCheck[];
}

const ALLOWED: CheckResult = { allowed: true };
const forbid = (reason: string, detail: string): CheckResult => ({ allowed: false, reason, detail });

/** `"a", "b"` (policy/helpers.go joinQuote). */
export function joinQuote(items: readonly string[]): string {
  return items.length ? `"${items.join('", "')}"` : '';
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** Sorted, deduplicated (sets.String.List). */
const sorted = (s: Iterable<string>): string[] => [...new Set(s)].sort();

const containers = (items: readonly string[]): string => `${pluralize('container', 'containers', items.length)} ${joinQuote(items)}`;

/** Go's %q for the strings these messages quote. */
const quote = (s: string): string => JSON.stringify(s);

/** Init containers, then containers, then ephemeral containers (policy/visitor.go). */
function visit(spec: PodSpecView, fn: (c: ContainerView) => void): void {
  for (const c of spec.initContainers ?? []) fn(c);
  for (const c of spec.containers ?? []) fn(c);
  for (const c of spec.ephemeralContainers ?? []) fn(c);
}

/** From v1.25, Windows pods (which cannot set these Linux fields: pod validation refuses them) pass. */
const exceptWindows = (fn: CheckFn): CheckFn => (m, spec) => (spec.os?.name === 'windows' ? ALLOWED : fn(m, spec));
/** From v1.35, pods in their own user namespace (hostUsers: false) are let off the root-related checks. */
const exceptUserNamespaced = (fn: CheckFn): CheckFn => (m, spec) => (spec.hostUsers === false ? ALLOWED : fn(m, spec));

function privileged(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const bad: string[] = [];
  visit(spec, (c) => { if (c.securityContext?.privileged === true) bad.push(c.name); });
  return bad.length ? forbid('privileged', `${containers(bad)} must not set securityContext.privileged=true`) : ALLOWED;
}

function hostNamespaces(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const set: string[] = [];
  if (spec.hostNetwork === true) set.push('hostNetwork=true');
  if (spec.hostPID === true) set.push('hostPID=true');
  if (spec.hostIPC === true) set.push('hostIPC=true');
  return set.length ? forbid('host namespaces', set.join(', ')) : ALLOWED;
}

function hostPathVolumes(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const bad = (spec.volumes ?? []).filter((v) => v.hostPath != null).map((v) => v.name);
  return bad.length ? forbid('hostPath volumes', `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}`) : ALLOWED;
}

function hostPorts(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const bad: string[] = [];
  const ports = new Set<string>();
  visit(spec, (c) => {
    let valid = true;
    for (const p of c.ports ?? []) {
      if (p.hostPort) { valid = false; ports.add(String(p.hostPort)); }
    }
    if (!valid) bad.push(c.name);
  });
  if (!bad.length) return ALLOWED;
  return forbid('hostPort', `${containers(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', ports.size)} ${sorted(ports).join(', ')}`);
}

function handlerHosts(h: HandlerView | null | undefined): string[] {
  if (!h) return [];
  const out: string[] = [];
  if (h.httpGet?.host) out.push(h.httpGet.host);
  if (h.tcpSocket?.host) out.push(h.tcpSocket.host);
  return out;
}

function hostProbesAndHostLifecycle(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const bad = new Set<string>();
  const hosts = new Set<string>();
  visit(spec, (c) => {
    for (const h of [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop]) {
      const found = handlerHosts(h);
      if (found.length) { bad.add(c.name); for (const x of found) hosts.add(x); }
    }
  });
  if (!bad.size) return ALLOWED;
  return forbid('probe or lifecycle host', `${containers(sorted(bad))} ${pluralize('uses', 'use', bad.size)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', hosts.size)} ${joinQuote(sorted(hosts))}`);
}

const DEFAULT_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

function capabilitiesBaseline(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const bad: string[] = [];
  const caps = new Set<string>();
  visit(spec, (c) => {
    let valid = true;
    for (const cap of c.securityContext?.capabilities?.add ?? []) {
      if (!DEFAULT_CAPABILITIES.has(cap)) { valid = false; caps.add(cap); }
    }
    if (!valid) bad.push(c.name);
  });
  return bad.length ? forbid('non-default capabilities', `${containers(bad)} must not include ${joinQuote(sorted(caps))} in securityContext.capabilities.add`) : ALLOWED;
}

function capabilitiesRestricted(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const missingDropAll: string[] = [];
  const adding: string[] = [];
  const caps = new Set<string>();
  visit(spec, (c) => {
    const capabilities = c.securityContext?.capabilities;
    if (!capabilities) { missingDropAll.push(c.name); return; }
    if (!(capabilities.drop ?? []).includes('ALL')) missingDropAll.push(c.name);
    let addsForbidden = false;
    for (const cap of capabilities.add ?? []) {
      if (cap !== 'NET_BIND_SERVICE') { addsForbidden = true; caps.add(cap); }
    }
    if (addsForbidden) adding.push(c.name);
  });
  const details: string[] = [];
  if (missingDropAll.length) details.push(`${containers(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding.length) details.push(`${containers(adding)} must not include ${joinQuote(sorted(caps))} in securityContext.capabilities.add`);
  return details.length ? forbid('unrestricted capabilities', details.join('; ')) : ALLOWED;
}

function appArmorProfile(meta: PodMetaView, spec: PodSpecView): CheckResult {
  const allowedType = (t: string | undefined): boolean => t === 'RuntimeDefault' || t === 'Localhost';
  const setters: string[] = [];
  const values = new Set<string>();
  const podProfile = spec.securityContext?.appArmorProfile;
  if (podProfile && !allowedType(podProfile.type)) { setters.push('pod'); values.add(podProfile.type ?? ''); }
  const bad: string[] = [];
  visit(spec, (c) => {
    const p = c.securityContext?.appArmorProfile;
    if (p && !allowedType(p.type)) { bad.push(c.name); values.add(p.type ?? ''); }
  });
  if (bad.length) setters.push(containers(bad));
  const annotations: string[] = [];
  const prefix = 'container.apparmor.security.beta.kubernetes.io/';
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    if (k.startsWith(prefix) && !(v === '' || v === 'runtime/default' || v.startsWith('localhost/'))) annotations.push(`${k}=${quote(v)}`);
  }
  const valueList = sorted(values);
  if (annotations.length) {
    valueList.push(...annotations.sort());
    setters.push(pluralize('annotation', 'annotations', annotations.length));
  }
  if (!setters.length) return ALLOWED;
  return forbid(pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', valueList.length), `${setters.join(' and ')} must not set AppArmor profile type to ${joinQuote(valueList)}`);
}

const SELINUX_TYPES_1_0 = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const SELINUX_TYPES_1_31 = new Set([...SELINUX_TYPES_1_0, 'container_engine_t']);

const seLinuxOptions = (allowedTypes: ReadonlySet<string>): CheckFn => (_m, spec) => {
  const setters: string[] = [];
  const badTypes = new Set<string>();
  let setUser = false;
  let setRole = false;
  const valid = (o: SELinuxOptionsView): boolean => {
    let ok = true;
    if (!allowedTypes.has(o.type ?? '')) { ok = false; badTypes.add(o.type ?? ''); }
    if (o.user) { ok = false; setUser = true; }
    if (o.role) { ok = false; setRole = true; }
    return ok;
  };
  const podOpts = spec.securityContext?.seLinuxOptions;
  if (podOpts && !valid(podOpts)) setters.push('pod');
  const bad: string[] = [];
  visit(spec, (c) => {
    const o = c.securityContext?.seLinuxOptions;
    if (o && !valid(o)) bad.push(c.name);
  });
  if (bad.length) setters.push(containers(bad));
  if (!setters.length) return ALLOWED;
  const data: string[] = [];
  if (badTypes.size) data.push(`${pluralize('type', 'types', badTypes.size)} ${joinQuote(sorted(badTypes))}`);
  if (setUser) data.push('user may not be set');
  if (setRole) data.push('role may not be set');
  return forbid('seLinuxOptions', `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`);
};

function procMountCheck(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const bad: string[] = [];
  const types = new Set<string>();
  visit(spec, (c) => {
    const pm = c.securityContext?.procMount;
    if (pm != null && pm !== 'Default') { bad.push(c.name); types.add(pm); }
  });
  return bad.length ? forbid('procMount', `${containers(bad)} must not set securityContext.procMount to ${joinQuote(sorted(types))}`) : ALLOWED;
}

const validSeccomp = (t: string | undefined): boolean => t === 'Localhost' || t === 'RuntimeDefault';

/** Before v1.19 the seccomp profile was chosen by the alpha annotations, which the baseline checks. */
function seccompAnnotationsBaseline(meta: PodMetaView, spec: PodSpecView): CheckResult {
  const valid = (v: string): boolean => v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
  const annotations = meta.annotations ?? {};
  const bad = new Set<string>();
  const podKey = 'seccomp.security.alpha.kubernetes.io/pod';
  const podValue = annotations[podKey];
  if (podValue !== undefined && !valid(podValue)) bad.add(`${podKey}=${quote(podValue)}`);
  visit(spec, (c) => {
    const key = `container.seccomp.security.alpha.kubernetes.io/${c.name}`;
    const v = annotations[key];
    if (v !== undefined && !valid(v)) bad.add(`${key}=${quote(v)}`);
  });
  return bad.size ? forbid('seccompProfile', `forbidden ${pluralize('annotation', 'annotations', bad.size)} ${sorted(bad).join(', ')}`) : ALLOWED;
}

function seccompProfileBaseline(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const setters: string[] = [];
  const values = new Set<string>();
  const podProfile = spec.securityContext?.seccompProfile;
  if (podProfile && !validSeccomp(podProfile.type)) { setters.push('pod'); values.add(podProfile.type ?? ''); }
  const bad: string[] = [];
  visit(spec, (c) => {
    const p = c.securityContext?.seccompProfile;
    if (p && !validSeccomp(p.type)) { bad.push(c.name); values.add(p.type ?? ''); }
  });
  if (bad.length) setters.push(containers(bad));
  if (!setters.length) return ALLOWED;
  return forbid('seccompProfile', `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sorted(values))}`);
}

function seccompProfileRestricted(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const setters: string[] = [];
  const values = new Set<string>();
  let podSet = false;
  const podProfile = spec.securityContext?.seccompProfile;
  if (podProfile) {
    if (!validSeccomp(podProfile.type)) { setters.push('pod'); values.add(podProfile.type ?? ''); } else podSet = true;
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  visit(spec, (c) => {
    const p = c.securityContext?.seccompProfile;
    if (p) {
      if (!validSeccomp(p.type)) { explicit.push(c.name); values.add(p.type ?? ''); }
    } else if (!podSet) implicit.push(c.name);
  });
  if (explicit.length) setters.push(containers(explicit));
  if (setters.length) return forbid('seccompProfile', `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sorted(values))}`);
  if (implicit.length) return forbid('seccompProfile', `pod or ${containers(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
  return ALLOWED;
}

/** The namespaced, node-isolated sysctls the baseline allows, growing with the policy version. */
const SYSCTLS_1_0 = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start']);
const SYSCTLS_1_27 = new Set([...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports']);
const SYSCTLS_1_29 = new Set([...SYSCTLS_1_27, 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);
const SYSCTLS_1_32 = new Set([...SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']);
export const SAFE_SYSCTLS: ReadonlySet<string> = new Set([...SYSCTLS_1_32, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']);

const sysctls = (allowed: ReadonlySet<string>): CheckFn => (_m, spec) => {
  const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !allowed.has(n));
  return bad.length ? forbid('forbidden sysctls', bad.join(', ')) : ALLOWED;
};

function windowsHostProcess(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const bad: string[] = [];
  visit(spec, (c) => { if (c.securityContext?.windowsOptions?.hostProcess === true) bad.push(c.name); });
  const setters: string[] = [];
  if (spec.securityContext?.windowsOptions?.hostProcess === true) setters.push('pod');
  if (bad.length) setters.push(containers(bad));
  return setters.length ? forbid('hostProcess', `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`) : ALLOWED;
}

function allowPrivilegeEscalation(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const bad: string[] = [];
  visit(spec, (c) => { if (c.securityContext?.allowPrivilegeEscalation !== false) bad.push(c.name); });
  return bad.length ? forbid('allowPrivilegeEscalation != false', `${containers(bad)} must set securityContext.allowPrivilegeEscalation=false`) : ALLOWED;
}

const ALLOWED_VOLUME_SOURCES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];
/** The restricted volume types, in the order upstream names the first one a volume has. */
const RESTRICTED_VOLUME_SOURCES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume',
  'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk',
  'portworxVolume', 'scaleIO', 'storageos',
];

function restrictedVolumes(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const v of spec.volumes ?? []) {
    if (ALLOWED_VOLUME_SOURCES.some((s) => v[s] != null)) continue;
    bad.push(v.name);
    types.add(RESTRICTED_VOLUME_SOURCES.find((s) => v[s] != null) ?? 'unknown');
  }
  if (!bad.length) return ALLOWED;
  return forbid('restricted volume types', `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', types.size)} ${joinQuote(sorted(types))}`);
}

function runAsNonRoot(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const setters: string[] = [];
  let podNonRoot = false;
  const podValue = spec.securityContext?.runAsNonRoot;
  if (podValue != null) {
    if (!podValue) setters.push('pod');
    else podNonRoot = true;
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  visit(spec, (c) => {
    const v = c.securityContext?.runAsNonRoot;
    if (v != null) { if (!v) explicit.push(c.name); } else if (!podNonRoot) implicit.push(c.name);
  });
  if (explicit.length) setters.push(containers(explicit));
  if (setters.length) return forbid('runAsNonRoot != true', `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`);
  if (implicit.length) return forbid('runAsNonRoot != true', `pod or ${containers(implicit)} must set securityContext.runAsNonRoot=true`);
  return ALLOWED;
}

function runAsUser(_m: PodMetaView, spec: PodSpecView): CheckResult {
  const setters: string[] = [];
  if (spec.securityContext?.runAsUser === 0) setters.push('pod');
  const bad: string[] = [];
  visit(spec, (c) => { if (c.securityContext?.runAsUser === 0) bad.push(c.name); });
  if (bad.length) setters.push(containers(bad));
  return setters.length ? forbid('runAsUser=0', `${setters.join(' and ')} must not set runAsUser=0`) : ALLOWED;
}

const v = (since: number, check: CheckFn, overrides?: string[]): VersionedCheck => (overrides ? { since, check, overrides } : { since, check });

/** Every check, each with the policy versions (v1.`since`) its behaviour changed at (policy/check_*.go). */
export const CHECKS: readonly Check[] = [
  { id: 'appArmorProfile', level: 'baseline', versions: [v(0, appArmorProfile)] },
  { id: 'capabilities_baseline', level: 'baseline', versions: [v(0, capabilitiesBaseline)] },
  { id: 'hostNamespaces', level: 'baseline', versions: [v(0, hostNamespaces)] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [v(0, hostPathVolumes)] },
  { id: 'hostPorts', level: 'baseline', versions: [v(0, hostPorts)] },
  { id: 'hostProbesAndHostLifecycle', level: 'baseline', versions: [v(34, hostProbesAndHostLifecycle)] },
  { id: 'privileged', level: 'baseline', versions: [v(0, privileged)] },
  { id: 'procMount', level: 'baseline', versions: [v(0, procMountCheck), v(35, exceptUserNamespaced(procMountCheck))] },
  { id: 'seLinuxOptions', level: 'baseline', versions: [v(0, seLinuxOptions(SELINUX_TYPES_1_0)), v(31, seLinuxOptions(SELINUX_TYPES_1_31))] },
  { id: 'seccompProfile_baseline', level: 'baseline', versions: [v(0, seccompAnnotationsBaseline), v(19, seccompProfileBaseline)] },
  {
    id: 'sysctls', level: 'baseline',
    versions: [v(0, sysctls(SYSCTLS_1_0)), v(27, sysctls(SYSCTLS_1_27)), v(29, sysctls(SYSCTLS_1_29)), v(32, sysctls(SYSCTLS_1_32)), v(37, sysctls(SAFE_SYSCTLS))],
  },
  { id: 'windowsHostProcess', level: 'baseline', versions: [v(0, windowsHostProcess)] },
  { id: 'allowPrivilegeEscalation', level: 'restricted', versions: [v(8, allowPrivilegeEscalation), v(25, exceptWindows(allowPrivilegeEscalation))] },
  {
    id: 'capabilities_restricted', level: 'restricted',
    versions: [v(22, capabilitiesRestricted, ['capabilities_baseline']), v(25, exceptWindows(capabilitiesRestricted), ['capabilities_baseline'])],
  },
  { id: 'procMount_restricted', level: 'restricted', versions: [v(35, procMountCheck, ['procMount'])] },
  { id: 'restrictedVolumes', level: 'restricted', versions: [v(0, restrictedVolumes, ['hostPathVolumes'])] },
  { id: 'runAsNonRoot', level: 'restricted', versions: [v(0, runAsNonRoot), v(35, exceptUserNamespaced(runAsNonRoot))] },
  { id: 'runAsUser', level: 'restricted', versions: [v(23, runAsUser), v(35, exceptUserNamespaced(runAsUser))] },
  {
    id: 'seccompProfile_restricted', level: 'restricted',
    versions: [v(19, seccompProfileRestricted, ['seccompProfile_baseline']), v(25, exceptWindows(seccompProfileRestricted), ['seccompProfile_baseline'])],
  },
];

/** The newest policy version any check changed at: `latest`, and versions past it, evaluate as it. */
export const MAX_POLICY_MINOR = Math.max(...CHECKS.flatMap((c) => c.versions.map((x) => x.since)));

/** A check as of policy version v1.`minor`, or undefined before it existed. */
function asOf(c: Check, minor: number): VersionedCheck | undefined {
  let found: VersionedCheck | undefined;
  for (const x of c.versions) if (x.since <= minor) found = x;
  return found;
}

const byId = (a: Check, b: Check): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const SORTED_BASELINE = CHECKS.filter((c) => c.level === 'baseline').sort(byId);
const SORTED_RESTRICTED = CHECKS.filter((c) => c.level === 'restricted').sort(byId);

/**
 * The checks of a level at a policy version in upstream's evaluation order (policy/registry.go
 * populate): baseline checks sorted by ID, then restricted ones; at restricted, a baseline check
 * that a restricted check of that version overrides is left out.
 */
function checksFor(level: 'baseline' | 'restricted', minor: number): CheckFn[] {
  const baseline = SORTED_BASELINE.map((c) => [c.id, asOf(c, minor)] as const).filter((x): x is readonly [string, VersionedCheck] => x[1] !== undefined);
  if (level === 'baseline') return baseline.map(([, x]) => x.check);
  const restricted = SORTED_RESTRICTED.map((c) => asOf(c, minor)).filter((x): x is VersionedCheck => x !== undefined);
  const overridden = new Set(restricted.flatMap((x) => x.overrides ?? []));
  return [...baseline.filter(([id]) => !overridden.has(id)).map(([, x]) => x.check), ...restricted.map((x) => x.check)];
}

const ordered = new Map<string, CheckFn[]>();

function checksAt(level: 'baseline' | 'restricted', minor: number | undefined): CheckFn[] {
  const m = minor === undefined ? MAX_POLICY_MINOR : Math.min(minor, MAX_POLICY_MINOR);
  const key = `${level}:${m}`;
  let fns = ordered.get(key);
  if (!fns) { fns = checksFor(level, m); ordered.set(key, fns); }
  return fns;
}

export interface AggregateResult { allowed: boolean; reasons: string[]; details: string[] }

/**
 * Every check of the level, as of policy version v1.`minor` (undefined: latest), run on the pod;
 * privileged runs none.
 */
export function evaluatePod(level: 'privileged' | 'baseline' | 'restricted', meta: PodMetaView, spec: PodSpecView, minor?: number): AggregateResult {
  const checks = level === 'privileged' ? [] : checksAt(level, minor);
  const reasons: string[] = [];
  const details: string[] = [];
  for (const check of checks) {
    const r = check(meta, spec);
    if (r.allowed) continue;
    reasons.push(r.reason || 'unknown forbidden reason');
    details.push(r.detail ?? '');
  }
  return { allowed: reasons.length === 0, reasons, details };
}

/** `reason (detail), reason (detail)` (AggregateCheckResult.ForbiddenDetail). */
export function forbiddenDetail(r: AggregateResult): string {
  return r.reasons.map((reason, i) => (r.details[i] ? `${reason} (${r.details[i]})` : reason)).join(', ');
}

/** `reason, reason` (AggregateCheckResult.ForbiddenReason). */
export function forbiddenReason(r: AggregateResult): string {
  return r.reasons.join(', ');
}
