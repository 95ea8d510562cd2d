// Kubernetes' authorizer library for CEL (k8s.io/apiserver/pkg/cel/library/authz.go):
//   authorizer.group('apps').resource('deployments').namespace('ns').name('web').check('update').allowed()
//   authorizer.path('/healthz').check('get').allowed()
//   authorizer.serviceAccount('ns', 'sa').group('').resource('pods').check('list').reason()
//   authorizer.requestResource.check('delete')       (admission: the request's own resource)
// cel-js evaluates synchronously and skiff's authorizers may answer asynchronously, so checks are
// resolved in rounds: an evaluation that asks an authorizer question not answered yet stops with
// AuthzPending, the caller (evaluateWithAuthorizer) asks the authorizer, then evaluates again
// with the answer cached. CEL is side-effect free, so the rerun computes the same thing.
import type { Environment } from '@marcbachmann/cel-js';

/** One authorization question, in the terms of the API server's AuthorizationAttributes. */
export interface AuthzQuestion {
  /** The user asked about: the request's user, or a service account (authorizer.serviceAccount). */
  serviceAccount?: { namespace: string; name: string };
  verb: string;
  isResourceRequest: boolean;
  path: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface AuthzAnswer {
  decision: 'allow' | 'deny' | 'no-opinion';
  reason: string;
  error?: string;
}

export type AuthzFunction = (q: AuthzQuestion) => AuthzAnswer | Promise<AuthzAnswer>;

/** Thrown inside an evaluation that needs an answer not known yet; never seen by callers. */
export class AuthzPending extends Error {
  readonly code = 'CelAuthzPending';
  constructor() {
    super('authorization check pending');
    this.name = 'AuthzPending';
  }
}

const keyOf = (q: AuthzQuestion): string => JSON.stringify([q.serviceAccount?.namespace ?? '', q.serviceAccount?.name ?? '', q.verb, q.isResourceRequest, q.path, q.apiGroup, q.resource, q.subresource, q.namespace, q.name]);

/** The answers of one admission request's evaluations (upstream's caching authorizer). */
export class AuthzSession {
  readonly #ask: AuthzFunction;
  readonly #answers = new Map<string, AuthzAnswer>();
  readonly #pending = new Map<string, AuthzQuestion>();
  constructor(ask: AuthzFunction) {
    this.#ask = ask;
  }
  get hasPending(): boolean {
    return this.#pending.size > 0;
  }
  answer(q: AuthzQuestion): AuthzAnswer {
    const k = keyOf(q);
    const a = this.#answers.get(k);
    if (a) return a;
    this.#pending.set(k, q);
    throw new AuthzPending();
  }
  async resolvePending(): Promise<void> {
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const [k, q] of pending) {
      try {
        this.#answers.set(k, await this.#ask(q));
      } catch (err) {
        this.#answers.set(k, { decision: 'no-opinion', reason: '', error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}

interface Target {
  serviceAccount?: { namespace: string; name: string };
}

export class CelAuthorizer {
  readonly session: AuthzSession;
  readonly target: Target;
  /** authorizer.requestResource, when the evaluation is for an admission request. */
  readonly requestResource: ResourceCheck | null;
  constructor(session: AuthzSession, target: Target = {}, request?: { apiGroup: string; resource: string; subresource: string; namespace: string; name: string }) {
    this.session = session;
    this.target = target;
    this.requestResource = request ? new ResourceCheck(this, request.apiGroup, request.resource, request.subresource, request.namespace, request.name) : null;
  }
}

export class PathCheck {
  readonly authz: CelAuthorizer;
  readonly path: string;
  constructor(authz: CelAuthorizer, path: string) {
    this.authz = authz;
    this.path = path;
  }
}

export class GroupCheck {
  readonly authz: CelAuthorizer;
  readonly group: string;
  constructor(authz: CelAuthorizer, group: string) {
    this.authz = authz;
    this.group = group;
  }
}

export class ResourceCheck {
  readonly authz: CelAuthorizer;
  readonly group: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  constructor(authz: CelAuthorizer, group: string, resource: string, subresource = '', namespace = '', name = '') {
    this.authz = authz;
    this.group = group;
    this.resource = resource;
    this.subresource = subresource;
    this.namespace = namespace;
    this.name = name;
  }
  with(patch: Partial<Pick<ResourceCheck, 'subresource' | 'namespace' | 'name'>>): ResourceCheck {
    return new ResourceCheck(this.authz, this.group, this.resource, patch.subresource ?? this.subresource, patch.namespace ?? this.namespace, patch.name ?? this.name);
  }
}

export class AuthzDecision {
  readonly answer: AuthzAnswer;
  constructor(answer: AuthzAnswer) {
    this.answer = answer;
  }
}

function ask(authz: CelAuthorizer, q: Omit<AuthzQuestion, 'serviceAccount'>): AuthzDecision {
  const full: AuthzQuestion = { ...q, ...(authz.target.serviceAccount ? { serviceAccount: authz.target.serviceAccount } : {}) };
  return new AuthzDecision(authz.session.answer(full));
}

export function registerAuthzLibrary(env: Environment): void {
  env.registerType('Authorizer', CelAuthorizer);
  env.registerType('PathCheck', PathCheck);
  env.registerType('GroupCheck', GroupCheck);
  env.registerType('ResourceCheck', ResourceCheck);
  env.registerType('AuthzDecision', AuthzDecision);
  env.registerFunction('Authorizer.path(string): PathCheck', (a: CelAuthorizer, p: string) => new PathCheck(a, p));
  env.registerFunction('Authorizer.group(string): GroupCheck', (a: CelAuthorizer, g: string) => new GroupCheck(a, g));
  env.registerFunction('Authorizer.serviceAccount(string, string): Authorizer', (a: CelAuthorizer, namespace: string, name: string) =>
    new CelAuthorizer(a.session, { serviceAccount: { namespace, name } }));
  env.registerFunction('GroupCheck.resource(string): ResourceCheck', (g: GroupCheck, r: string) => new ResourceCheck(g.authz, g.group, r));
  env.registerFunction('ResourceCheck.subresource(string): ResourceCheck', (r: ResourceCheck, s: string) => r.with({ subresource: s }));
  env.registerFunction('ResourceCheck.namespace(string): ResourceCheck', (r: ResourceCheck, s: string) => r.with({ namespace: s }));
  env.registerFunction('ResourceCheck.name(string): ResourceCheck', (r: ResourceCheck, s: string) => r.with({ name: s }));
  env.registerFunction('ResourceCheck.check(string): AuthzDecision', (r: ResourceCheck, verb: string) => ask(r.authz, {
    verb, isResourceRequest: true, path: '', apiGroup: r.group, resource: r.resource, subresource: r.subresource, namespace: r.namespace, name: r.name,
  }));
  env.registerFunction('PathCheck.check(string): AuthzDecision', (p: PathCheck, verb: string) => ask(p.authz, {
    verb: verb.toLowerCase(), isResourceRequest: false, path: p.path, apiGroup: '', resource: '', subresource: '', namespace: '', name: '',
  }));
  env.registerFunction('AuthzDecision.allowed(): bool', (d: AuthzDecision) => d.answer.decision === 'allow');
  env.registerFunction('AuthzDecision.reason(): string', (d: AuthzDecision) => d.answer.reason);
  env.registerFunction('AuthzDecision.errored(): bool', (d: AuthzDecision) => d.answer.error !== undefined);
  env.registerFunction('AuthzDecision.error(): string', (d: AuthzDecision) => d.answer.error ?? '');
}
