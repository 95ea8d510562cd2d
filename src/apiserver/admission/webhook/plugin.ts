// The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins: configurations read from the
// API server's watch cache, each matching webhook called with an AdmissionReview v1 in the version
// the client spoke (or the equivalent version the webhook's rules name). Mirrors
// k8s.io/apiserver/pkg/admission/plugin/webhook/{generic/webhook.go, mutating/dispatcher.go,
// validating/dispatcher.go, request/admissionreview.go, errors/statuserror.go}.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { badRequest, forbidden, internalError, newStatus, StatusError, type StatusReason } from '../../../api/errors.ts';
import { applyDefaults } from '../../../api/defaults/index.ts';
import { definitionNameFor } from '../../../api/schema/index.ts';
import { describeTypeErrors, normalizeTypes } from '../../../api/schema/typecheck.ts';
import { pruneUnknownFields } from '../../../api/validation/unknown-fields.ts';
import type { KubeObject, Status } from '../../../api/meta.ts';
import { lookupResource, parseApiVersion, type ResourceInfo } from '../../../api/scheme.ts';
import type { MutatingWebhook, MutatingWebhookConfiguration, ValidatingWebhook, ValidatingWebhookConfiguration } from '../../../api/types/admissionregistration-v1-webhooks.ts';
import { applyJsonPatch } from '../../patch/json-patch.ts';
import { fromStorage, toStorage } from '../../registry/convert.ts';
import { isReinvocation, requestReinvocation, type AdmissionAttributes, type AdmissionPlugin } from '../types.ts';
import { postReview, resolveTarget, WebhookCallError, type ServiceLookup } from './client.ts';
import { celMatchConditions } from './match-conditions.ts';
import { matchingResource, namespaceSelectorMatches, objectSelectorMatches } from './matching.ts';

export const MUTATING_PLUGIN_NAME = 'MutatingAdmissionWebhook';
export const VALIDATING_PLUGIN_NAME = 'ValidatingAdmissionWebhook';

/** What the plugins read from the API server. */
export interface WebhookSource extends ServiceLookup {
  /** The configurations, sorted by name (a consistent read of the watch cache). */
  mutating(): Promise<MutatingWebhookConfiguration[]>;
  validating(): Promise<ValidatingWebhookConfiguration[]>;
  namespaceLabels(name: string): Promise<Record<string, string> | undefined>;
}

/** The request as CEL matchConditions see it (`object`, `oldObject`, `request`). */
export interface MatchConditionInput {
  object: KubeObject | null;
  oldObject: KubeObject | null;
  request: Record<string, unknown>;
}

/**
 * Evaluates a webhook's matchConditions: matches when all hold; not when one is false; an error
 * (when none is false) is left to the webhook's failurePolicy.
 */
export type MatchConditionEvaluator = (conditions: ReadonlyArray<{ name: string; expression: string }>, input: MatchConditionInput) => { matches: boolean; error?: string };

export interface WebhookPluginOptions {
  source: WebhookSource;
  log?: Logger;
  matchConditions?: MatchConditionEvaluator;
}

type Hook = (MutatingWebhook | ValidatingWebhook) & { configuration: string };

interface Invocation {
  hook: Hook;
  /** The resource the webhook is called for, in the version its rules matched. */
  resource: ResourceInfo;
}

/** The attributes in the version a webhook sees, converted lazily from the stored form. */
interface Versioned {
  resource: ResourceInfo;
  object: KubeObject | undefined;
  oldObject: KubeObject | undefined;
}

// Writes of the admission configuration itself never go to webhooks, so a broken webhook cannot
// lock its own configuration in (predicates/rules/rules.go IsExemptAdmissionConfigurationResource).
const EXEMPT = new Set(['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings']);
const isExempt = (a: AdmissionAttributes): boolean => a.info.group === 'admissionregistration.k8s.io' && EXEMPT.has(a.info.resource);

function requestedResource(a: AdmissionAttributes): ResourceInfo {
  if (!a.apiVersion) return a.info;
  const gv = parseApiVersion(a.apiVersion);
  return lookupResource(gv.group, gv.version, a.info.resource) ?? a.info;
}

function versioned(a: AdmissionAttributes, resource: ResourceInfo): Versioned {
  const conv = (o: KubeObject | undefined): KubeObject | undefined => (o ? structuredClone(fromStorage(resource, o)) : undefined);
  return { resource, object: conv(a.object), oldObject: conv(a.oldObject) };
}

/** ErrCallingWebhook's message: `failed calling webhook "<name>": <reason>`. */
function callingError(hook: Hook, reason: string): Error {
  return new Error(`failed calling webhook "${hook.name}": ${reason}`);
}

/** A refusal: the webhook's Status with upstream's `admission webhook "<name>" denied the request` message (webhookerrors.ToStatusErr). */
function denied(hook: Hook, result: Partial<Status> | undefined): StatusError {
  const deniedBy = `admission webhook "${hook.name}" denied the request`;
  const r = result ?? {};
  const code = typeof r.code === 'number' && r.code >= 400 ? r.code : 400;
  const message = r.message ? `${deniedBy}: ${r.message}` : r.reason ? `${deniedBy}: ${r.reason}` : `${deniedBy} without explanation`;
  const status = newStatus(code, (r.reason ?? '') as StatusReason, message, r.details);
  if (!r.reason) delete (status as { reason?: string }).reason;
  return new StatusError(status);
}

const dryRunUnsupported = (hook: Hook): StatusError => badRequest(`admission webhook "${hook.name}" does not support dry run`);

interface ReviewResponse {
  allowed: boolean;
  patch?: string;
  patchType?: string;
  result?: Partial<Status>;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

/** webhookrequest.VerifyAdmissionResponse for v1. */
function verifyResponse(uid: string, mutating: boolean, body: unknown): ReviewResponse {
  const review = (body ?? {}) as { apiVersion?: string; kind?: string; response?: Record<string, unknown> };
  const bad = (m: string): WebhookCallError => new WebhookCallError(`received invalid webhook response: ${m}`);
  const r = review.response;
  if (!r || typeof r !== 'object') throw bad('webhook response was absent');
  if (r.uid !== uid) throw bad(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(r.uid ?? '')}`);
  if (review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview') {
    throw bad(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${review.apiVersion ?? ''}, Kind=${review.kind ?? ''}`);
  }
  const patch = typeof r.patch === 'string' && r.patch.length > 0 ? r.patch : undefined;
  const hasType = r.patchType !== undefined && r.patchType !== null;
  if (mutating) {
    if (patch && !hasType) throw bad('webhook returned response.patch but not response.patchType');
    if (!patch && hasType) throw bad('webhook returned response.patchType but not response.patch');
    if (hasType && r.patchType === '') throw bad('webhook returned invalid response.patchType of ""');
  } else {
    if (patch) throw bad('validating webhook may not return response.patch');
    if (hasType) throw bad('validating webhook may not return response.patchType');
  }
  const out: ReviewResponse = { allowed: r.allowed === true };
  if (patch) out.patch = patch;
  if (hasType) out.patchType = String(r.patchType);
  if (r.result && typeof r.result === 'object') out.result = r.result;
  if (Array.isArray(r.warnings)) out.warnings = r.warnings.map(String);
  if (r.auditAnnotations && typeof r.auditAnnotations === 'object') out.auditAnnotations = r.auditAnnotations as Record<string, string>;
  return out;
}

const gvk = (info: ResourceInfo): { group: string; version: string; kind: string } => ({ group: info.group, version: info.version, kind: info.kind });
const gvr = (info: ResourceInfo): { group: string; version: string; resource: string } => ({ group: info.group, version: info.version, resource: info.resource });

const OPTIONS_KIND = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' } as const;

/** The AdmissionRequest (request/admissionreview.go CreateV1AdmissionReview). */
function admissionRequest(uid: string, a: AdmissionAttributes, requested: ResourceInfo, v: Versioned): Record<string, unknown> {
  const user: Record<string, unknown> = { username: a.user.name, groups: a.user.groups };
  if (a.user.uid) user.uid = a.user.uid;
  return {
    uid,
    kind: gvk(v.resource),
    resource: gvr(v.resource),
    ...(a.subresource ? { subResource: a.subresource } : {}),
    requestKind: gvk(requested),
    requestResource: gvr(requested),
    ...(a.subresource ? { requestSubResource: a.subresource } : {}),
    ...(a.name ? { name: a.name } : {}),
    ...(a.namespace ? { namespace: a.namespace } : {}),
    operation: a.operation,
    userInfo: user,
    object: v.object ?? null,
    oldObject: v.oldObject ?? null,
    dryRun: a.dryRun,
    options: { kind: OPTIONS_KIND[a.operation], apiVersion: 'meta.k8s.io/v1', ...(a.dryRun ? { dryRun: ['All'] } : {}) },
  };
}

/** The shared half of both plugins: which webhooks a request goes to, and the call itself. */
class WebhookDispatcher {
  readonly #opts: WebhookPluginOptions;
  readonly #log: Logger | undefined;
  readonly #mutating: boolean;

  constructor(opts: WebhookPluginOptions, mutating: boolean) {
    this.#opts = opts;
    this.#log = opts.log?.child({ plugin: mutating ? MUTATING_PLUGIN_NAME : VALIDATING_PLUGIN_NAME });
    this.#mutating = mutating;
  }

  async hooks(): Promise<Hook[]> {
    const configs: Array<MutatingWebhookConfiguration | ValidatingWebhookConfiguration> = this.#mutating ? await this.#opts.source.mutating() : await this.#opts.source.validating();
    const out: Hook[] = [];
    for (const c of configs) for (const h of c.webhooks ?? []) out.push({ ...h, configuration: c.metadata.name ?? '' });
    return out;
  }

  /** ShouldCallHook: rules (with matchPolicy), namespace and object selectors, then matchConditions. */
  async invocation(hook: Hook, a: AdmissionAttributes, requested: ResourceInfo): Promise<Invocation | undefined> {
    const resource = matchingResource(hook, requested, { subresource: a.subresource, operation: a.operation, namespace: a.namespace });
    if (!resource) return undefined;
    const nsOk = await namespaceSelectorMatches(hook, { info: requested, subresource: a.subresource, namespace: a.namespace, object: a.object, oldObject: a.oldObject }, (n) => this.#opts.source.namespaceLabels(n));
    if (!nsOk || !objectSelectorMatches(hook, a.object, a.oldObject)) return undefined;
    return { hook, resource };
  }

  /**
   * matchConditions, once the webhook is otherwise chosen: undefined to call it, 'skip', or the
   * refusal when a condition fails to evaluate under failurePolicy Fail (upstream answers 403).
   */
  conditions(inv: Invocation, a: AdmissionAttributes, requested: ResourceInfo, v: Versioned): 'skip' | StatusError | undefined {
    const conds = inv.hook.matchConditions ?? [];
    if (conds.length === 0) return undefined;
    const r = (this.#opts.matchConditions ?? celMatchConditions)(conds, { object: v.object ?? null, oldObject: v.oldObject ?? null, request: admissionRequest('', a, requested, v) });
    if (r.error === undefined) return r.matches ? undefined : 'skip';
    if (inv.hook.failurePolicy === 'Ignore') return 'skip';
    this.#log?.warn({ webhook: inv.hook.name, err: r.error }, 'failed evaluating match conditions, failing closed');
    const gr = requested.group ? `${requested.resource}.${requested.group}` : requested.resource;
    return forbidden(`${gr}${a.name ? ` "${a.name}"` : ''} is forbidden: ${r.error}`);
  }

  /** One call: the review out, the verified answer back; warnings and audit annotations handled here. */
  async call(inv: Invocation, a: AdmissionAttributes, requested: ResourceInfo, v: Versioned): Promise<ReviewResponse> {
    const hook = inv.hook;
    const uid = randomUUID();
    const timeout = hook.timeoutSeconds ?? 10;
    const target = resolveTarget(hook.clientConfig, this.#opts.source, timeout);
    const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: admissionRequest(uid, a, requested, v) });
    const answer = await postReview(target, body, timeout * 1000);
    const res = verifyResponse(uid, this.#mutating, answer);
    // There is no audit log: the annotations a webhook returns are logged under `<webhook>/<key>`.
    for (const [k, val] of Object.entries(res.auditAnnotations ?? {})) {
      this.#log?.info({ webhook: hook.name, annotation: `${hook.name}/${k}`, value: val, namespace: a.namespace, name: a.name }, 'webhook audit annotation');
    }
    for (const w of res.warnings ?? []) a.warn(w);
    return res;
  }

  /**
   * Runs one matching webhook and turns its failures into the request's answer: undefined to go
   * on (allowed, or failed open under failurePolicy Ignore), or the error to refuse with.
   */
  async run(inv: Invocation, a: AdmissionAttributes, requested: ResourceInfo, v: Versioned, onAnswer: (res: ReviewResponse) => void): Promise<Error | undefined> {
    const hook = inv.hook;
    const cond = this.conditions(inv, a, requested, v);
    if (cond === 'skip') return undefined;
    if (cond) return cond;
    if (a.dryRun && hook.sideEffects !== 'None' && hook.sideEffects !== 'NoneOnDryRun') return dryRunUnsupported(hook);
    try {
      const res = await this.call(inv, a, requested, v);
      if (!res.allowed) return denied(hook, res.result);
      onAnswer(res);
      return undefined;
    } catch (err) {
      if (!(err instanceof WebhookCallError)) return err as Error;
      const e = callingError(hook, err.message);
      if (hook.failurePolicy === 'Ignore') {
        this.#log?.warn({ webhook: hook.name, err: e.message }, 'failed calling webhook, failing open');
        return undefined;
      }
      this.#log?.warn({ webhook: hook.name, err: e.message }, 'failed calling webhook, failing closed');
      return internalError(e);
    }
  }
}

/** What the first mutating round leaves for the second (reinvocation). */
interface RoundState {
  /** Webhooks called with reinvocationPolicy IfNeeded. */
  ifNeeded: Invocation[];
  /** A webhook changed the object after one of them was called. */
  changedAfterIfNeeded: boolean;
  /** The object as the last webhook left it. */
  output: string;
}

/**
 * MutatingAdmissionWebhook: the webhooks of every MutatingWebhookConfiguration, by configuration
 * name then in order, each seeing the previous one's changes; JSONPatch answers applied and the
 * object decoded and defaulted again. A change asks admit() for a second round of every mutating
 * plugin, in which the webhooks with reinvocationPolicy IfNeeded already called are called once
 * more if the object changed after them (mutating/dispatcher.go, reinvocation context).
 */
export function mutatingAdmissionWebhook(opts: WebhookPluginOptions): AdmissionPlugin {
  const d = new WebhookDispatcher(opts, true);
  const rounds = new WeakMap<AdmissionAttributes, RoundState>();
  return {
    name: MUTATING_PLUGIN_NAME,
    async mutate(a) {
      if (isExempt(a)) return;
      const requested = requestedResource(a);
      // A stored object changed in place: the registry goes on with a.object.
      const replace = (next: KubeObject): void => {
        const target = a.object as Record<string, unknown>;
        for (const k of Object.keys(target)) delete target[k];
        Object.assign(target, next);
      };
      const runOne = async (inv: Invocation): Promise<boolean> => {
        const v = versioned(a, inv.resource);
        let changed = false;
        const err = await d.run(inv, a, requested, v, (res) => {
          if (!res.patch) return;
          if (res.patchType !== 'JSONPatch') throw new WebhookCallError(`unsupported patch type ${JSON.stringify(res.patchType)}`);
          if (!v.object) throw internalError(new Error(`admission webhook "${inv.hook.name}" attempted to modify the object, which is not supported for this operation`));
          let patched: unknown;
          try {
            patched = applyJsonPatch(v.object, JSON.parse(Buffer.from(res.patch, 'base64').toString('utf8')));
          } catch (e) {
            throw internalError(e);
          }
          // Decoded into the webhook's version as upstream decodes into the Go type: values of the
          // wrong type refuse the write, fields the type lacks are dropped.
          const defName = definitionNameFor(inv.resource.group, inv.resource.version, inv.resource.kind);
          if (defName) {
            const typeErrs = normalizeTypes(defName, patched);
            if (typeErrs.length) throw internalError(new Error(describeTypeErrors(typeErrs)));
            pruneUnknownFields(defName, patched);
          }
          const stored = toStorage(inv.resource, structuredClone(patched) as KubeObject);
          applyDefaults(a.info, stored);
          changed = JSON.stringify(stored) !== JSON.stringify(a.object);
          if (changed) replace(stored);
        });
        if (err) throw err;
        return changed;
      };

      if (isReinvocation(a)) {
        const st = rounds.get(a);
        if (!st || st.ifNeeded.length === 0) return;
        // In-tree plugins changed the object since, or a webhook did after an IfNeeded one.
        if (!st.changedAfterIfNeeded && JSON.stringify(a.object) === st.output) return;
        for (const inv of st.ifNeeded) await runOne(inv);
        return;
      }
      const hooks = await d.hooks();
      if (hooks.length === 0) return;
      const st: RoundState = { ifNeeded: [], changedAfterIfNeeded: false, output: '' };
      for (const hook of hooks) {
        const inv = await d.invocation(hook, a, requested);
        if (!inv) continue;
        if (await runOne(inv)) {
          if (st.ifNeeded.length > 0) st.changedAfterIfNeeded = true;
          requestReinvocation(a);
        }
        if ((hook as MutatingWebhook).reinvocationPolicy === 'IfNeeded') st.ifNeeded.push(inv);
      }
      st.output = JSON.stringify(a.object);
      rounds.set(a, st);
    },
  };
}

/** ValidatingAdmissionWebhook: every matching validating webhook, called in parallel; the first refusal (in configuration order) answers. */
export function validatingAdmissionWebhook(opts: WebhookPluginOptions): AdmissionPlugin {
  const d = new WebhookDispatcher(opts, false);
  return {
    name: VALIDATING_PLUGIN_NAME,
    async validate(a) {
      if (isExempt(a)) return;
      const hooks = await d.hooks();
      if (hooks.length === 0) return;
      const requested = requestedResource(a);
      const invs = (await Promise.all(hooks.map((h) => d.invocation(h, a, requested)))).filter((x): x is Invocation => x !== undefined);
      const results = await Promise.all(invs.map((inv) => d.run(inv, a, requested, versioned(a, inv.resource), () => {})));
      const first = results.find((e) => e !== undefined);
      if (first) throw first;
    },
  };
}
