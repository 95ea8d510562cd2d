// The ValidatingAdmissionPolicy admission plugin
// (k8s.io/apiserver/pkg/admission/plugin/policy/validating: dispatcher.go, validator.go, and
// policy/generic/policy_dispatcher.go CollectParams). For each policy whose matchConstraints
// match the request, each binding of it whose matchResources match is evaluated with each of
// its parameter objects: matchConditions, then validations (variables computed lazily), then
// auditAnnotations. Failed validations act as the binding's validationActions say: Deny refuses
// the request, Warn adds a warning for the client, Audit records an audit annotation.
// `authorizer` answers through the API server's authorizer when one is given. Left out:
// status.typeChecking, and converting the object to the version a rule matched through with
// matchPolicy Equivalent (the object is passed as stored).
import {
  AuthzSession,
  CelAuthorizer,
  CelCompileError,
  CostBudget,
  compileExpression,
  evaluate,
  evaluateWithAuthorizer,
  isCelCostLimit,
  lazyObject,
  RUNTIME_COST_BUDGET,
  toCelValue,
  type AuthzQuestion,
  type CelReturnType,
} from '../../../cel/index.ts';
import { newStatus, StatusError, type StatusReason } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/meta.ts';
import { labelSelectorFromMeta, matchesLabels } from '../../../api/selectors/labels.ts';
import type {
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  Validation,
} from '../../../api/types/admission-policy-v1.ts';
import { policyVariables } from '../../../api/validation/admission-policy.ts';
import type { Authorizer } from '../../authorization/types.ts';
import type { AdmissionAttributes, AdmissionPlugin, UserInfo } from '../types.ts';
import { matchResources, type RequestResource } from './matching.ts';
import type { PolicySource } from './source.ts';

export const PLUGIN_NAME = 'ValidatingAdmissionPolicy';
export const VALIDATION_FAILURE_ANNOTATION = 'validation.policy.admission.k8s.io/validation_failure';
const MAX_AUDIT_ANNOTATION_VALUE = 10 * 1024;
const MAX_MESSAGE_EXPRESSION_BYTES = 5 * 1024;
const OUT_OF_BUDGET = 'validation failed due to running out of cost budget, no further validation rules will be run';

export interface ValidatingPolicyOptions {
  /**
   * Audit annotations of a request (upstream adds them to the audit event; skiff has no audit
   * log, so the server logs them).
   */
  audit?: (annotations: Record<string, string>, a: AdmissionAttributes) => void;
  /** Answers the `authorizer` variable's checks; without it, `authorizer` is null. */
  authorizer?: Authorizer;
}

// Admission configuration objects are never subject to policies, so a bad policy cannot lock
// itself in (upstream's IsExemptAdmissionConfigurationResource).
const EXEMPT = new Set(['validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings']);

type Action = 'admit' | 'deny';

interface Decision {
  action: Action;
  message: string;
  reason?: StatusReason;
  index: number;
}

interface Denial {
  policy: string;
  binding: string | undefined;
  message: string;
  reason: StatusReason | undefined;
}

interface AuditAnnotationResult {
  key: string;
  value?: string;
  error?: string;
}

export function validatingAdmissionPolicy(source: PolicySource, opts: ValidatingPolicyOptions = {}): AdmissionPlugin {
  return {
    name: PLUGIN_NAME,
    async validate(a: AdmissionAttributes): Promise<void> {
      if (a.info.group === 'admissionregistration.k8s.io' && EXEMPT.has(a.info.resource)) return;
      const policies = source.policies();
      if (policies.length === 0) return;
      const bindings = source.bindings();
      if (bindings.length === 0) return;
      await new Dispatch(source, a, opts).run(policies, bindings);
    },
  };
}

class Dispatch {
  readonly #source: PolicySource;
  readonly #a: AdmissionAttributes;
  readonly #opts: ValidatingPolicyOptions;
  readonly #denials: Denial[] = [];
  readonly #annotations: Record<string, string> = {};
  #namespace: KubeObject | undefined;
  #namespaceLoaded = false;
  #celObject: unknown;
  #celOldObject: unknown;
  #celNamespace: unknown;
  #converted = false;
  readonly #session: AuthzSession | undefined;

  constructor(source: PolicySource, a: AdmissionAttributes, opts: ValidatingPolicyOptions) {
    this.#source = source;
    this.#a = a;
    this.#opts = opts;
    const authorizer = opts.authorizer;
    if (authorizer) {
      this.#session = new AuthzSession(async (q) => {
        const r = await authorizer.authorize(authorizationAttributes(q, a.user));
        return { decision: r.decision, reason: r.reason };
      });
    }
  }

  async run(policies: readonly ValidatingAdmissionPolicy[], bindings: readonly ValidatingAdmissionPolicyBinding[]): Promise<void> {
    const byPolicy = new Map<string, ValidatingAdmissionPolicyBinding[]>();
    for (const b of bindings) {
      const name = b.spec?.policyName;
      if (!name) continue;
      const list = byPolicy.get(name);
      if (list) list.push(b);
      else byPolicy.set(name, [b]);
    }
    for (const policy of policies) {
      const bound = byPolicy.get(policy.metadata.name ?? '');
      if (!bound?.length) continue;
      const ns = await this.#namespaceObject();
      const matched = matchResources(policy.spec?.matchConstraints, { a: this.#a, namespace: ns });
      if (!matched) continue;
      const policyAnnotations = new Map<string, string[]>();
      for (const binding of bound) {
        if (binding.spec?.matchResources && !matchResources(binding.spec.matchResources, { a: this.#a, namespace: ns })) continue;
        let params: Array<KubeObject | null>;
        try {
          params = await this.#collectParams(policy, binding);
        } catch (err) {
          this.#configError(policy, binding, (err as Error).message);
          continue;
        }
        for (const param of params) await this.#evaluate(policy, binding, param, matched, policyAnnotations);
      }
      for (const [key, values] of policyAnnotations) this.#annotations[`${policy.metadata.name}/${key}`] = values.join(', ');
    }
    if (Object.keys(this.#annotations).length) this.#opts.audit?.(this.#annotations, this.#a);
    const first = this.#denials[0];
    if (first) throw denied(this.#a, first);
  }

  async #namespaceObject(): Promise<KubeObject | undefined> {
    if (!this.#namespaceLoaded) {
      this.#namespaceLoaded = true;
      const isNamespace = this.#a.info.group === '' && this.#a.info.resource === 'namespaces';
      if (this.#a.info.namespaced && this.#a.namespace && !isNamespace) this.#namespace = await this.#source.namespace(this.#a.namespace);
    }
    return this.#namespace;
  }

  #configError(policy: ValidatingAdmissionPolicy, binding: ValidatingAdmissionPolicyBinding | undefined, message: string): void {
    if ((policy.spec?.failurePolicy ?? 'Fail') === 'Ignore') return;
    this.#denials.push({
      policy: policy.metadata.name ?? '',
      binding: binding?.metadata.name,
      message: binding ? `failed to configure binding: ${message}` : `failed to configure policy: ${message}`,
      reason: undefined,
    });
  }

  // generic.CollectParams: one evaluation per parameter object, or one with null params.
  async #collectParams(policy: ValidatingAdmissionPolicy, binding: ValidatingAdmissionPolicyBinding): Promise<Array<KubeObject | null>> {
    const paramKind = policy.spec?.paramKind;
    const ref = binding.spec?.paramRef;
    if (!paramKind || !ref) return [null];
    const store = this.#source.params(paramKind.apiVersion ?? '', paramKind.kind ?? '');
    if (!store) throw new Error(`paramKind kind \`&ParamKind{APIVersion:${paramKind.apiVersion ?? ''},Kind:${paramKind.kind ?? ''},}\` not known`);
    let namespace = '';
    if (store.namespaced) {
      namespace = ref.namespace || this.#a.namespace;
      if (!namespace) throw new Error('cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
    } else if (ref.namespace) {
      throw new Error('paramRef.namespace must not be provided for a cluster-scoped `paramKind`');
    }
    let found: KubeObject[];
    if (ref.name) {
      if (ref.selector) throw new Error('paramRef.name and paramRef.selector are mutually exclusive');
      const one = await store.get(namespace, ref.name);
      found = one ? [one] : [];
    } else if (ref.selector) {
      const sel = labelSelectorFromMeta(ref.selector);
      found = (await store.list(namespace)).filter((o) => matchesLabels(sel, o.metadata?.labels ?? {}));
    } else {
      throw new Error('one of name or selector must be provided');
    }
    if (found.length === 0 && ref.parameterNotFoundAction === 'Deny') {
      throw new Error('no params found for policy binding with `Deny` parameterNotFoundAction');
    }
    // Upstream makes sure params carry their apiVersion and kind.
    return found.map((p) => ({ ...p, apiVersion: p.apiVersion ?? paramKind.apiVersion ?? '', kind: p.kind ?? paramKind.kind ?? '' }));
  }

  #convert(): void {
    if (this.#converted) return;
    this.#converted = true;
    const a = this.#a;
    const typed = (o: KubeObject | undefined): unknown => (o ? toCelValue({ apiVersion: apiVersion(a), kind: a.info.kind, ...o }) : null);
    this.#celObject = a.operation === 'DELETE' ? null : typed(a.object);
    this.#celOldObject = a.operation === 'CREATE' ? null : typed(a.oldObject);
    this.#celNamespace = this.#namespace ? toCelValue(namespaceObject(this.#namespace)) : null;
  }

  async #evaluate(policy: ValidatingAdmissionPolicy, binding: ValidatingAdmissionPolicyBinding, param: KubeObject | null, matched: RequestResource, annotations: Map<string, string[]>): Promise<void> {
    this.#convert();
    const spec = policy.spec ?? {};
    const failurePolicy = spec.failurePolicy ?? 'Fail';
    const onError: Action = failurePolicy === 'Ignore' ? 'admit' : 'deny';
    const vars = policyVariables(!!spec.paramKind);
    const budget = new CostBudget(RUNTIME_COST_BUDGET);
    const activation: Record<string, unknown> = {
      object: this.#celObject,
      oldObject: this.#celOldObject,
      request: toCelValue(admissionRequest(this.#a, matched)),
      namespaceObject: this.#celNamespace,
      params: param ? toCelValue(param) : null,
      authorizer: this.#session ? new CelAuthorizer(this.#session, {}, {
        apiGroup: this.#a.info.group, resource: this.#a.info.resource, subresource: this.#a.subresource, namespace: this.#a.namespace, name: this.#a.name,
      }) : null,
    };
    const runSync = (expression: string, returnType: CelReturnType): unknown => {
      if (budget.remaining <= 0) throw new Error(OUT_OF_BUDGET);
      const program = compileExpression(expression, { variables: vars, returnType });
      return evaluate(program, activation, { budget });
    };
    const session = this.#session;
    const run = async (expression: string, returnType: CelReturnType): Promise<unknown> => {
      if (!session) return runSync(expression, returnType);
      if (budget.remaining <= 0) throw new Error(OUT_OF_BUDGET);
      const program = compileExpression(expression, { variables: vars, returnType });
      return await evaluateWithAuthorizer(program, activation, session, { budget });
    };
    const thunks: Record<string, () => unknown> = {};
    // Variables are computed inside the expression that reads them, synchronously.
    for (const v of spec.variables ?? []) thunks[v.name] = () => runSync(v.expression, 'any');
    activation.variables = lazyObject(thunks);

    // matchConditions: any false skips the binding; errors follow the failure policy.
    const errors: string[] = [];
    for (const c of spec.matchConditions ?? []) {
      try {
        if ((await run(c.expression, 'bool')) === false) return;
      } catch (err) {
        errors.push(errorMessage(c.expression, err, budget));
      }
    }
    if (errors.length) {
      if (onError === 'deny') this.#act(policy, binding, { action: 'deny', message: errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`, index: 0 });
      return;
    }

    for (const [i, v] of (spec.validations ?? []).entries()) {
      let result: unknown;
      try {
        result = await run(v.expression, 'bool');
      } catch (err) {
        this.#act(policy, binding, { action: onError, message: errorMessage(v.expression, err, budget), index: i });
        continue;
      }
      if (result === true) continue;
      this.#act(policy, binding, { action: 'deny', message: await failureMessage(v, run), reason: v.reason ?? 'Invalid', index: i });
    }

    for (const aa of spec.auditAnnotations ?? []) {
      const r = await auditAnnotation(aa.key, aa.valueExpression, run, budget);
      if (r.error !== undefined) {
        if (onError === 'deny') this.#denials.push({ policy: policy.metadata.name ?? '', binding: binding.metadata.name, message: r.error, reason: undefined });
      } else if (r.value !== undefined) {
        const list = annotations.get(r.key) ?? [];
        if (!list.includes(r.value)) list.push(r.value);
        annotations.set(r.key, list);
      }
    }
  }

  #act(policy: ValidatingAdmissionPolicy, binding: ValidatingAdmissionPolicyBinding, d: Decision): void {
    if (d.action !== 'deny') return;
    const policyName = policy.metadata.name ?? '';
    const bindingName = binding.metadata.name ?? '';
    for (const action of binding.spec?.validationActions ?? []) {
      if (action === 'Deny') this.#denials.push({ policy: policyName, binding: bindingName, message: d.message, reason: d.reason });
      else if (action === 'Warn') this.#a.warn(`Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${d.message}`);
      else if (action === 'Audit') {
        this.#annotations[VALIDATION_FAILURE_ANNOTATION] = JSON.stringify([{
          message: d.message, policy: binding.spec?.policyName ?? policyName, binding: bindingName, expressionIndex: d.index, validationActions: binding.spec?.validationActions ?? [],
        }]);
      }
    }
  }
}

function errorMessage(expression: string, err: unknown, budget: CostBudget): string {
  if (err instanceof Error && err.message === OUT_OF_BUDGET) return OUT_OF_BUDGET;
  if (isCelCostLimit(err) && budget.remaining <= 0) return OUT_OF_BUDGET;
  if (err instanceof CelCompileError) return `compilation failed: ${err.detail}`;
  return `expression '${expression}' resulted in error: ${(err as Error).message}`;
}

// validator.go: messageExpression if it yields a usable string, else message, else the expression.
type Run = (expression: string, returnType: CelReturnType) => Promise<unknown>;

async function failureMessage(v: Validation, run: Run): Promise<string> {
  let message = '';
  if (v.messageExpression?.trim()) {
    try {
      const out = await run(v.messageExpression, 'string');
      if (typeof out === 'string') {
        message = out.trim();
        if (Buffer.byteLength(message) > MAX_MESSAGE_EXPRESSION_BYTES || message.includes('\n')) message = '';
      }
    } catch {
      // Upstream logs and falls back to the static message.
    }
  }
  if (!message && v.message) message = v.message.trim();
  if (!message) message = `failed expression: ${v.expression.trim()}`;
  return message;
}

async function auditAnnotation(key: string, valueExpression: string, run: Run, budget: CostBudget): Promise<AuditAnnotationResult> {
  let out: unknown;
  try {
    out = await run(valueExpression, 'any');
  } catch (err) {
    return { key, error: errorMessage(valueExpression, err, budget) };
  }
  if (out === null || out === undefined) return { key };
  if (typeof out !== 'string') {
    return { key, error: `valueExpression '${valueExpression}' resulted in unsupported return type: ${typeName(out)}. Return type must be either string or null.` };
  }
  const value = out.trim();
  if (!value) return { key };
  return { key, value: value.length > MAX_AUDIT_ANNOTATION_VALUE ? value.slice(0, MAX_AUDIT_ANNOTATION_VALUE) : value };
}

function typeName(v: unknown): string {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  return 'map';
}

// An authorizer check as the API server's authorizers see it: the request's user, or the service
// account authorizer.serviceAccount() names (with the groups its tokens carry).
function authorizationAttributes(q: AuthzQuestion, requester: UserInfo): Parameters<Authorizer['authorize']>[0] {
  const user: UserInfo = q.serviceAccount
    ? { name: `system:serviceaccount:${q.serviceAccount.namespace}:${q.serviceAccount.name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${q.serviceAccount.namespace}`, 'system:authenticated'] }
    : requester;
  return {
    user, verb: q.verb, isResourceRequest: q.isResourceRequest, path: q.path, namespace: q.namespace,
    apiGroup: q.apiGroup, apiVersion: '*', resource: q.resource, subresource: q.subresource, name: q.name,
  };
}

function apiVersion(a: AdmissionAttributes): string {
  return a.info.group ? `${a.info.group}/${a.info.version}` : a.info.version;
}

// cel.CreateAdmissionRequest, with the omitempty fields of AdmissionRequest left out.
function admissionRequest(a: AdmissionAttributes, matched: RequestResource): Record<string, unknown> {
  const kind = { group: a.info.group, version: a.info.version, kind: a.info.kind };
  const resource = { group: matched.group, version: matched.version, resource: matched.resource };
  const req: Record<string, unknown> = {
    kind,
    resource,
    requestKind: kind,
    requestResource: { group: a.info.group, version: a.info.version, resource: a.info.resource },
    operation: a.operation,
    userInfo: {
      username: a.user.name,
      ...(a.user.uid ? { uid: a.user.uid } : {}),
      ...(a.user.groups.length ? { groups: a.user.groups } : {}),
    },
  };
  if (a.subresource) {
    req.subResource = a.subresource;
    req.requestSubResource = a.subresource;
  }
  const name = a.name || a.object?.metadata?.name || '';
  if (name) req.name = name;
  if (a.namespace) req.namespace = a.namespace;
  if (a.dryRun) req.dryRun = true;
  return req;
}

// cel.CreateNamespaceObject: the namespace's identity, labels and annotations, spec and status.
function namespaceObject(ns: KubeObject): Record<string, unknown> {
  const m = ns.metadata;
  const metadata: Record<string, unknown> = {};
  for (const k of ['name', 'generateName', 'namespace', 'labels', 'annotations', 'uid', 'creationTimestamp', 'deletionTimestamp'] as const) {
    if (m[k] !== undefined) metadata[k] = m[k];
  }
  const o = ns as KubeObject & { spec?: unknown; status?: unknown };
  return { metadata, spec: o.spec ?? {}, status: o.status ?? {} };
}

const REASON_CODES: Record<string, number> = { Unauthorized: 401, Forbidden: 403, RequestEntityTooLarge: 413, Invalid: 422 };

// admission.NewForbidden with the decision's reason and code, as dispatcher.go builds it.
function denied(a: AdmissionAttributes, d: Denial): StatusError {
  const message = d.binding !== undefined
    ? `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}`
    : `ValidatingAdmissionPolicy '${d.policy}' denied request: ${d.message}`;
  const resource = a.info.group ? `${a.info.resource}.${a.info.group}` : a.info.resource;
  const name = reportedName(a);
  const reason = (d.reason ?? 'Invalid');
  return new StatusError(newStatus(REASON_CODES[reason] ?? 422, reason, `${resource} "${name}" is forbidden: ${message}`, {
    name, ...(a.info.group ? { group: a.info.group } : {}), kind: a.info.resource, causes: [{ message }],
  }));
}

/** The name upstream's admission.NewForbidden reports: the generateName prefix when the name was generated. */
function reportedName(a: AdmissionAttributes): string {
  const meta = a.object?.metadata;
  const gen = meta?.generateName;
  if (gen && meta?.name && meta.name.length === Math.min(gen.length, 58) + 5 && meta.name.startsWith(gen.slice(0, 58))) return gen;
  return a.name || meta?.name || 'Unknown';
}
