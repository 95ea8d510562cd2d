// PodSecurity admission: enforces, audits and warns about the Pod Security Standards a namespace's
// `pod-security.kubernetes.io/*` labels choose (k8s.io/pod-security-admission/admission/admission.go,
// wrapped by kube-apiserver's plugin/pkg/admission/security/podsecurity/admission.go).
// Pods are refused at the enforce level; workload templates only warn and audit, since the pods
// they make are checked when created. skiff has no audit log: audit violations go to the server log.
import { internalError, invalid, newStatus, StatusError, type FieldError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/meta.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../types.ts';
import { evaluatePod, forbiddenDetail, forbiddenReason, type AggregateResult } from './checks.ts';
import {
  AUDIT_LEVEL_LABEL, AUDIT_VERSION_LABEL, ENFORCE_LEVEL_LABEL, ENFORCE_VERSION_LABEL, WARN_LEVEL_LABEL, WARN_VERSION_LABEL,
  compareLevels, equivalent, fullyPrivileged, levelVersionString, parseLevel, parseVersion, policyToEvaluate, sameLevelVersion, sameVersion,
  type LevelVersion, type Policy,
} from './levels.ts';
import type { ContainerView, PodMetaView, PodSpecView } from './pod-view.ts';

/** The plugin's configuration file shape (pod-security.admission.config.k8s.io/v1 PodSecurityConfiguration). */
export interface PodSecurityConfiguration {
  defaults?: {
    enforce?: string; 'enforce-version'?: string;
    audit?: string; 'audit-version'?: string;
    warn?: string; 'warn-version'?: string;
  };
  exemptions?: { usernames?: string[]; namespaces?: string[]; runtimeClasses?: string[] };
}

export interface PodSecurityOptions {
  config?: PodSecurityConfiguration;
  getNamespace(name: string): Promise<KubeObject | undefined>;
  listPods(namespace: string): Promise<KubeObject[]>;
  /** Where audit annotations go (skiff has no audit log): `pod-security.kubernetes.io/<key>` → value. */
  audit?(a: AdmissionAttributes, annotations: Record<string, string>): void;
}

/** Upstream's bound on the pods checked when a namespace's enforce level tightens. */
const NAMESPACE_MAX_PODS_TO_CHECK = 3000;

/** Pod subresources that cannot change what the checks read (admission.go ignoredPodSubresources). */
const IGNORED_POD_SUBRESOURCES = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

/** Workloads whose pod template gets warn and audit (admission.go defaultPodSpecResources). */
const POD_CONTROLLERS = new Set([
  '/replicationcontrollers', '/podtemplates', 'apps/replicasets', 'apps/deployments', 'apps/statefulsets', 'apps/daemonsets',
  'batch/jobs', 'batch/cronjobs',
]);

/** Upstream's defaults: privileged at latest for all three modes. */
export function defaultPolicy(config: PodSecurityConfiguration | undefined): Policy {
  const d = config?.defaults ?? {};
  const lv = (level: string | undefined, version: string | undefined, what: string): LevelVersion => {
    const l = parseLevel(level || 'privileged');
    const v = parseVersion(version || 'latest');
    if (l.error) throw new Error(`PodSecurity configuration: defaults.${what}: ${l.error}`);
    if (v.error) throw new Error(`PodSecurity configuration: defaults.${what}-version: ${v.error}`);
    return { level: l.level, version: v.version };
  };
  return { enforce: lv(d.enforce, d['enforce-version'], 'enforce'), audit: lv(d.audit, d['audit-version'], 'audit'), warn: lv(d.warn, d['warn-version'], 'warn') };
}

interface PodLike { metadata?: PodMetaView & { ownerReferences?: Array<{ uid?: string; controller?: boolean }> }; spec?: PodSpecView }

/** The pod metadata and spec a workload's template holds (DefaultPodSpecExtractor). */
export function extractPodSpec(resourceKey: string, obj: KubeObject): { meta: PodMetaView; spec: PodSpecView } | undefined {
  const o = obj as unknown as { template?: PodLike; spec?: { template?: PodLike; jobTemplate?: { spec?: { template?: PodLike } } } };
  let template: PodLike | undefined;
  if (resourceKey === '/podtemplates') template = o.template;
  else if (resourceKey === 'batch/cronjobs') template = o.spec?.jobTemplate?.spec?.template;
  else template = o.spec?.template;
  if (!template) return undefined;
  return { meta: template.metadata ?? {}, spec: template.spec ?? {} };
}

function images(cs: readonly ContainerView[] | undefined): Array<string | undefined> {
  return (cs ?? []).map((c) => c.image);
}

/**
 * Whether a pod update can change what the checks see (admission.go isSignificantPodUpdate): only
 * images, and added or changed ephemeral containers, can change on a stored pod.
 */
export function isSignificantPodUpdate(pod: PodSpecView, old: PodSpecView): boolean {
  const [a, b] = [images(pod.containers), images(old.containers)];
  const [ia, ib] = [images(pod.initContainers), images(old.initContainers)];
  if (a.length !== b.length || ia.length !== ib.length) return true;
  if (a.some((img, i) => img !== b[i]) || ia.some((img, i) => img !== ib[i])) return true;
  for (const c of pod.ephemeralContainers ?? []) {
    const prev = (old.ephemeralContainers ?? []).find((o) => o.name === c.name);
    if (!prev || prev.image !== c.image) return true;
  }
  return false;
}

/** The checks of a level as of its version (`latest`: the newest). */
export function evaluateAt(lv: LevelVersion, meta: PodMetaView, spec: PodSpecView): AggregateResult {
  return evaluatePod(lv.level, meta, spec, lv.version.latest ? undefined : lv.version.minor);
}

function qualifiedResource(a: AdmissionAttributes): string {
  return a.info.group ? `${a.info.resource}.${a.info.group}` : a.info.resource;
}

export function podSecurity(opts: PodSecurityOptions): AdmissionPlugin {
  const defaults = defaultPolicy(opts.config);
  const exempt = opts.config?.exemptions ?? {};
  const exemptNamespace = (ns: string): boolean => ns !== '' && (exempt.namespaces ?? []).includes(ns);
  const exemptUser = (user: string): boolean => user !== '' && (exempt.usernames ?? []).includes(user);
  const exemptRuntimeClass = (rc: string | undefined): boolean => !!rc && (exempt.runtimeClasses ?? []).includes(rc);
  const audit = (a: AdmissionAttributes, annotations: Record<string, string>): void => {
    if (!opts.audit || !Object.keys(annotations).length) return;
    opts.audit(a, Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`pod-security.kubernetes.io/${k}`, v])));
  };

  /** The warning for an exempt namespace labelled with a policy that will not apply (exemptNamespaceWarning). */
  function exemptNamespaceWarning(name: string, p: Policy, labels: Record<string, string>): string {
    if (fullyPrivileged(p) || (equivalent(p.enforce, defaults.enforce) && equivalent(p.audit, defaults.audit) && equivalent(p.warn, defaults.warn))) return '';
    const parts: string[] = [];
    const has = (...keys: string[]): boolean => keys.some((k) => k in labels);
    if (p.enforce.level !== 'privileged' && has(ENFORCE_LEVEL_LABEL, ENFORCE_VERSION_LABEL)) parts.push(`enforce=${levelVersionString(p.enforce)}`);
    if (p.audit.level !== 'privileged' && has(AUDIT_LEVEL_LABEL, AUDIT_VERSION_LABEL)) parts.push(`audit=${levelVersionString(p.audit)}`);
    if (p.warn.level !== 'privileged' && has(WARN_LEVEL_LABEL, WARN_VERSION_LABEL)) parts.push(`warn=${levelVersionString(p.warn)}`);
    return `namespace "${name}" is exempt from Pod Security, and the policy (${parts.join(', ')}) will be ignored`;
  }

  /**
   * The existing pods' violations of a tightened enforce level, one warning per distinct set of
   * reasons, named by its lexically first pod (EvaluatePodsInNamespace). Pods of one controller
   * are likely alike, so the first of each controller is checked before the rest.
   */
  async function evaluatePodsInNamespace(namespace: string, enforce: LevelVersion): Promise<string[]> {
    let pods: KubeObject[];
    try {
      pods = await opts.listPods(namespace);
    } catch {
      return ['failed to list pods while checking new PodSecurity enforce level'];
    }
    const first: PodLike[] = [];
    const rest: PodLike[] = [];
    const seenControllers = new Set<string>();
    for (const obj of pods) {
      const pod = obj as unknown as PodLike;
      if (exemptRuntimeClass(pod.spec?.runtimeClassName)) continue;
      const owner = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
      if (!owner?.uid) first.push(pod);
      else if (seenControllers.has(owner.uid)) rest.push(pod);
      else { seenControllers.add(owner.uid); first.push(pod); }
    }
    const all = [...first, ...rest];
    const checked = all.slice(0, NAMESPACE_MAX_PODS_TO_CHECK);
    const byWarning = new Map<string, { podName: string; count: number }>();
    for (const pod of checked) {
      const r = evaluateAt(enforce, pod.metadata ?? {}, pod.spec ?? {});
      if (r.allowed) continue;
      const warning = forbiddenReason(r);
      const name = pod.metadata?.name ?? '';
      const c = byWarning.get(warning);
      if (!c) byWarning.set(warning, { podName: name, count: 1 });
      else { c.count++; if (name < c.podName) c.podName = name; }
    }
    const warnings: string[] = [];
    if (checked.length < all.length) warnings.push(`new PodSecurity enforce level only checked against the first ${checked.length} of ${all.length} existing pods`);
    if (byWarning.size) warnings.push(`existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${levelVersionString(enforce)}"`);
    const podWarnings = [...byWarning].map(([warning, c]) => {
      if (c.count === 1) return `${c.podName}: ${warning}`;
      if (c.count === 2) return `${c.podName} (and 1 other pod): ${warning}`;
      return `${c.podName} (and ${c.count - 1} other pods): ${warning}`;
    });
    return [...warnings, ...podWarnings.sort()];
  }

  async function validateNamespace(a: AdmissionAttributes): Promise<void> {
    if (a.subresource !== '' || !a.object) return;
    const labels = (a.object.metadata.labels ?? {});
    const { policy, errors } = policyToEvaluate(labels, defaults);
    const name = a.object.metadata.name ?? a.name;
    if (a.operation === 'CREATE') {
      if (errors.length) throw invalid('Namespace', '', name, errors);
      if (exemptNamespace(name)) {
        const w = exemptNamespaceWarning(name, policy, labels);
        if (w) a.warn(w);
      }
      return;
    }
    if (a.operation !== 'UPDATE' || !a.oldObject) return;
    const old = policyToEvaluate(a.oldObject.metadata.labels, defaults);
    // Labels already invalid the same way may stay: only a change to them is refused.
    if (errors.length && (!old.errors.length || !sameErrors(errors, old.errors))) throw invalid('Namespace', '', name, errors);
    const [next, prev] = [policy.enforce, old.policy.enforce];
    if (sameLevelVersion(next, prev) || next.level === 'privileged') return;
    if (sameVersion(next.version, prev.version) && compareLevels(next.level, prev.level) < 1) return;
    if (exemptNamespace(name)) {
      const w = exemptNamespaceWarning(name, policy, labels);
      if (w) a.warn(w);
      return;
    }
    for (const w of await evaluatePodsInNamespace(name, next)) a.warn(w);
  }

  /** Whether the namespace's policy asks nothing of its pods, or its labels could not be read. */
  async function namespacePolicy(a: AdmissionAttributes): Promise<{ policy: Policy; errors: FieldError[] } | undefined> {
    const ns = await opts.getNamespace(a.namespace);
    if (!ns) return undefined;
    return policyToEvaluate(ns.metadata.labels, defaults);
  }

  function evaluate(a: AdmissionAttributes, policy: Policy, errors: FieldError[], meta: PodMetaView, spec: PodSpecView, enforce: boolean): void {
    if (exemptRuntimeClass(spec.runtimeClassName)) {
      audit(a, { exempt: 'runtimeClass' });
      return;
    }
    const annotations: Record<string, string> = {};
    if (errors.length) annotations.error = `Failed to parse policy: ${errors.map((e) => `${e.field}: Invalid value: ${JSON.stringify(e.badValue)}: ${e.detail}`).join(', ')}`;
    // Modes at the same level and version share one evaluation.
    const results = new Map<string, AggregateResult>();
    const result = (lv: LevelVersion): AggregateResult => {
      const key = levelVersionString(lv);
      let r = results.get(key);
      if (!r) { r = evaluateAt(lv, meta, spec); results.set(key, r); }
      return r;
    };
    let denial: string | undefined;
    if (enforce) {
      annotations['enforce-policy'] = levelVersionString(policy.enforce);
      const r = result(policy.enforce);
      if (!r.allowed) denial = `${qualifiedResource(a)} "${a.name}" is forbidden: violates PodSecurity "${levelVersionString(policy.enforce)}": ${forbiddenDetail(r)}`;
    }
    const auditResult = result(policy.audit);
    if (!auditResult.allowed) annotations['audit-violations'] = `would violate PodSecurity "${levelVersionString(policy.audit)}": ${forbiddenDetail(auditResult)}`;
    audit(a, annotations);
    if (denial !== undefined) {
      throw new StatusError(newStatus(403, 'Forbidden', denial, { name: a.name, group: a.info.group, kind: a.info.resource }));
    }
    // A request about to be refused gets no warnings.
    const warnResult = result(policy.warn);
    if (!warnResult.allowed) a.warn(`would violate PodSecurity "${levelVersionString(policy.warn)}": ${forbiddenDetail(warnResult)}`);
  }

  async function validatePod(a: AdmissionAttributes): Promise<void> {
    if (IGNORED_POD_SUBRESOURCES.has(a.subresource) || !a.object) return;
    if (exemptNamespace(a.namespace)) { audit(a, { exempt: 'namespace' }); return; }
    if (exemptUser(a.user.name)) { audit(a, { exempt: 'user' }); return; }
    const ns = await namespacePolicy(a);
    if (!ns) throw internalError(new Error(`failed to lookup namespace "${a.namespace}"`));
    if (!ns.errors.length && fullyPrivileged(ns.policy)) return;
    const pod = a.object as unknown as PodLike;
    if (a.operation === 'UPDATE' && a.oldObject) {
      const old = a.oldObject as unknown as PodLike;
      if (!isSignificantPodUpdate(pod.spec ?? {}, old.spec ?? {})) return;
    }
    evaluate(a, ns.policy, ns.errors, pod.metadata ?? {}, pod.spec ?? {}, true);
  }

  async function validatePodController(a: AdmissionAttributes, key: string): Promise<void> {
    if (a.subresource !== '' || !a.object) return;
    if (exemptNamespace(a.namespace)) { audit(a, { exempt: 'namespace' }); return; }
    if (exemptUser(a.user.name)) { audit(a, { exempt: 'user' }); return; }
    const ns = await namespacePolicy(a);
    // Workloads are never refused by this plugin: a namespace it cannot read is only noted.
    if (!ns) { audit(a, { error: `failed to lookup namespace "${a.namespace}"` }); return; }
    if (!ns.errors.length && ns.policy.warn.level === 'privileged' && ns.policy.audit.level === 'privileged') return;
    const template = extractPodSpec(key, a.object);
    if (!template) return;
    evaluate(a, ns.policy, ns.errors, template.meta, template.spec, false);
  }

  return {
    name: 'PodSecurity',
    async validate(a: AdmissionAttributes): Promise<void> {
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      const key = `${a.info.group}/${a.info.resource}`;
      if (key === '/namespaces') return validateNamespace(a);
      if (key === '/pods') return validatePod(a);
      if (POD_CONTROLLERS.has(key)) return validatePodController(a, key);
    },
  };
}

function sameErrors(a: readonly FieldError[], b: readonly FieldError[]): boolean {
  return a.length === b.length && a.every((e, i) => e.field === b[i]!.field && e.detail === b[i]!.detail && e.badValue === b[i]!.badValue);
}
