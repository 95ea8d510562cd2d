import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/meta.ts';
import { lookupKind, RESOURCES, type ResourceInfo } from '../../../api/scheme.ts';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from '../../../api/types/admission-policy-v1.ts';
import type { AdmissionAttributes } from '../types.ts';
import { ruleMatches } from './matching.ts';
import { validatingAdmissionPolicy, VALIDATION_FAILURE_ANNOTATION } from './plugin.ts';
import type { PolicySource } from './source.ts';

const deployments = RESOURCES.find((r) => r.group === 'apps' && r.resource === 'deployments') as ResourceInfo;
const configmaps = RESOURCES.find((r) => r.group === '' && r.resource === 'configmaps') as ResourceInfo;

interface World {
  policies: ValidatingAdmissionPolicy[];
  bindings: ValidatingAdmissionPolicyBinding[];
  namespaces: KubeObject[];
  configMaps: KubeObject[];
}

function source(w: World): PolicySource {
  return {
    policies: () => w.policies,
    bindings: () => w.bindings,
    namespace: async (name) => w.namespaces.find((n) => n.metadata.name === name),
    params(apiVersion, kind) {
      if (!lookupKind(apiVersion.includes('/') ? apiVersion.split('/')[0]! : '', apiVersion.split('/').pop()!, kind)) return undefined;
      return {
        namespaced: true,
        get: async (ns, name) => w.configMaps.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
        list: async (ns) => w.configMaps.filter((c) => c.metadata.namespace === ns),
      };
    },
  };
}

function policy(name: string, spec: ValidatingAdmissionPolicy['spec']): ValidatingAdmissionPolicy {
  return {
    metadata: { name },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {},
        resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'], scope: '*' }],
      },
      ...spec,
    },
  };
}

function binding(name: string, policyName: string, spec: Partial<NonNullable<ValidatingAdmissionPolicyBinding['spec']>> = {}): ValidatingAdmissionPolicyBinding {
  return { metadata: { name }, spec: { policyName, validationActions: ['Deny'], ...spec } };
}

function deployment(replicas: number, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'prod', labels }, spec: { replicas } };
}

function attrs(object: KubeObject | undefined, opts: { operation?: AdmissionAttributes['operation']; oldObject?: KubeObject; info?: ResourceInfo } = {}): AdmissionAttributes & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    info: opts.info ?? deployments, operation: opts.operation ?? 'CREATE', namespace: 'prod', name: object?.metadata.name ?? 'web', subresource: '',
    ...(object ? { object } : {}), ...(opts.oldObject ? { oldObject: opts.oldObject } : {}),
    user: { name: 'jane', groups: ['dev'] }, dryRun: false, warn: (m) => warnings.push(m), warnings,
  };
}

const world = (p: Partial<World> = {}): World => ({
  policies: [], bindings: [],
  namespaces: [{ metadata: { name: 'prod', labels: { env: 'prod' } } }, { metadata: { name: 'dev', labels: { env: 'dev' } } }],
  configMaps: [], ...p,
});

async function refusal(fn: () => Promise<void> | void): Promise<StatusError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof StatusError, String(err));
    return err;
  }
  assert.fail('expected the request to be refused');
}

test('a failed validation with a Deny binding refuses the request with upstream\'s message, 422 Invalid', async () => {
  const w = world({
    policies: [policy('max-replicas', { validations: [{ expression: 'object.spec.replicas <= 5', message: 'at most 5 replicas' }] })],
    bindings: [binding('max-replicas-binding', 'max-replicas')],
  });
  const plugin = validatingAdmissionPolicy(source(w));
  await plugin.validate!(attrs(deployment(3)));
  const err = await refusal(() => plugin.validate!(attrs(deployment(7))));
  assert.equal(err.code, 422);
  assert.equal(err.reason, 'Invalid');
  assert.equal(err.message, 'deployments.apps "web" is forbidden: ValidatingAdmissionPolicy \'max-replicas\' with binding \'max-replicas-binding\' denied request: at most 5 replicas');
  assert.deepEqual(err.status.details?.causes, [{ message: 'ValidatingAdmissionPolicy \'max-replicas\' with binding \'max-replicas-binding\' denied request: at most 5 replicas' }]);
});

test('without a binding a policy does nothing; without message the expression is quoted; reason sets the code', async () => {
  const p = policy('p', { validations: [{ expression: 'object.spec.replicas <= 5', reason: 'Forbidden' }] });
  const w = world({ policies: [p] });
  const plugin = validatingAdmissionPolicy(source(w));
  await plugin.validate!(attrs(deployment(9)));
  w.bindings.push(binding('b', 'p'));
  const err = await refusal(() => plugin.validate!(attrs(deployment(9))));
  assert.equal(err.code, 403);
  assert.match(err.message, /denied request: failed expression: object\.spec\.replicas <= 5$/);
});

test('messageExpression, variables and request', async () => {
  const w = world({
    policies: [policy('p', {
      variables: [{ name: 'limit', expression: '5' }, { name: 'over', expression: 'object.spec.replicas - variables.limit' }],
      validations: [{ expression: 'variables.over <= 0', messageExpression: '"user " + request.userInfo.username + " asked for " + string(variables.over) + " replicas too many"' }],
    })],
    bindings: [binding('b', 'p')],
  });
  const err = await refusal(() => validatingAdmissionPolicy(source(w)).validate!(attrs(deployment(8))));
  assert.match(err.message, /denied request: user jane asked for 3 replicas too many$/);
});

test('Warn warns and admits; Audit records the failure', async () => {
  const audits: Array<Record<string, string>> = [];
  const w = world({
    policies: [policy('p', {
      validations: [{ expression: 'object.spec.replicas <= 5', message: 'too many' }],
      auditAnnotations: [{ key: 'replicas', valueExpression: 'string(object.spec.replicas)' }],
    })],
    bindings: [binding('b', 'p', { validationActions: ['Warn', 'Audit'] })],
  });
  const a = attrs(deployment(7));
  await validatingAdmissionPolicy(source(w), { audit: (ann) => audits.push(ann) }).validate!(a);
  assert.deepEqual(a.warnings, ['Validation failed for ValidatingAdmissionPolicy \'p\' with binding \'b\': too many']);
  assert.equal(audits.length, 1);
  assert.equal(audits[0]!['p/replicas'], '7');
  assert.deepEqual(JSON.parse(audits[0]![VALIDATION_FAILURE_ANNOTATION]!), [{ message: 'too many', policy: 'p', binding: 'b', expressionIndex: 0, validationActions: ['Warn', 'Audit'] }]);
});

test('params from a ConfigMap; parameterNotFoundAction Deny and Allow; selector', async () => {
  const p = policy('p', {
    paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    validations: [{ expression: 'object.spec.replicas <= int(params.data.maxReplicas)', messageExpression: '"at most " + params.data.maxReplicas' }],
  });
  const w = world({
    policies: [p],
    bindings: [binding('b', 'p', { paramRef: { name: 'limits', namespace: 'policy', parameterNotFoundAction: 'Deny' } })],
    configMaps: [{ metadata: { name: 'limits', namespace: 'policy', labels: { kind: 'limits' } }, data: { maxReplicas: '3' } }],
  });
  const plugin = validatingAdmissionPolicy(source(w));
  await plugin.validate!(attrs(deployment(3)));
  assert.match((await refusal(() => plugin.validate!(attrs(deployment(4))))).message, /denied request: at most 3$/);
  w.configMaps = [];
  assert.match((await refusal(() => plugin.validate!(attrs(deployment(1))))).message, /with binding 'b' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction$/);
  w.bindings = [binding('b', 'p', { paramRef: { name: 'limits', namespace: 'policy', parameterNotFoundAction: 'Allow' } })];
  await plugin.validate!(attrs(deployment(100)));
  // A selector evaluates the policy once per parameter object; the request's namespace by default.
  w.configMaps = [
    { metadata: { name: 'a', namespace: 'prod', labels: { kind: 'limits' } }, data: { maxReplicas: '10' } },
    { metadata: { name: 'b', namespace: 'prod', labels: { kind: 'limits' } }, data: { maxReplicas: '2' } },
  ];
  w.bindings = [binding('b', 'p', { paramRef: { selector: { matchLabels: { kind: 'limits' } }, parameterNotFoundAction: 'Deny' } })];
  assert.match((await refusal(() => plugin.validate!(attrs(deployment(5))))).message, /denied request: at most 2$/);
});

test('match constraints: namespaceSelector, objectSelector, excludeResourceRules, binding matchResources, matchConditions', async () => {
  const p = policy('p', {
    validations: [{ expression: 'false', message: 'no' }],
    matchConditions: [{ name: 'not-exempt', expression: '!has(object.metadata.labels) || !("exempt" in object.metadata.labels)' }],
  });
  p.spec!.matchConstraints!.namespaceSelector = { matchLabels: { env: 'prod' } };
  const w = world({ policies: [p], bindings: [binding('b', 'p')] });
  const plugin = validatingAdmissionPolicy(source(w));
  await refusal(() => plugin.validate!(attrs(deployment(1))));
  await plugin.validate!({ ...attrs(deployment(1)), namespace: 'dev' });
  await plugin.validate!(attrs(deployment(1, { exempt: 'yes' })));
  p.spec!.matchConstraints!.objectSelector = { matchLabels: { team: 'a' } };
  await plugin.validate!(attrs(deployment(1)));
  await refusal(() => plugin.validate!(attrs(deployment(1, { team: 'a' }))));
  p.spec!.matchConstraints!.excludeResourceRules = [{ apiGroups: ['apps'], apiVersions: ['*'], operations: ['*'], resources: ['deployments'], resourceNames: ['web'] }];
  await plugin.validate!(attrs(deployment(1, { team: 'a' })));
  delete p.spec!.matchConstraints!.excludeResourceRules;
  w.bindings = [binding('b', 'p', { matchResources: { namespaceSelector: { matchLabels: { env: 'staging' } } } })];
  await plugin.validate!(attrs(deployment(1, { team: 'a' })));
  // A binding's matchResources without resourceRules narrows by selectors only.
  w.bindings = [binding('b', 'p', { matchResources: { namespaceSelector: { matchLabels: { env: 'prod' } } } })];
  await refusal(() => plugin.validate!(attrs(deployment(1, { team: 'a' }))));
  // Other resources and operations are not matched.
  w.bindings = [binding('b', 'p')];
  await plugin.validate!(attrs({ metadata: { name: 'c', namespace: 'prod', labels: { team: 'a' } } }, { info: configmaps }));
  await plugin.validate!(attrs(undefined, { operation: 'DELETE', oldObject: deployment(1, { team: 'a' }) }));
});

test('evaluation errors follow failurePolicy; the cost limit stops hostile expressions', async () => {
  const p = policy('p', { validations: [{ expression: 'object.spec.missing > 1' }] });
  const w = world({ policies: [p], bindings: [binding('b', 'p')] });
  const plugin = validatingAdmissionPolicy(source(w));
  assert.match((await refusal(() => plugin.validate!(attrs(deployment(1))))).message, /denied request: expression 'object\.spec\.missing > 1' resulted in error: no such key: missing$/);
  p.spec!.failurePolicy = 'Ignore';
  await plugin.validate!(attrs(deployment(1)));
  p.spec!.failurePolicy = 'Fail';
  p.spec!.validations = [{ expression: '[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, a + b + c + d + e + f > 0))))))' }];
  assert.match((await refusal(() => plugin.validate!(attrs(deployment(1))))).message, /cost limit exceeded|running out of cost budget/);
});

test('policies and bindings themselves are exempt', async () => {
  const p = policy('p', { validations: [{ expression: 'false' }] });
  p.spec!.matchConstraints!.resourceRules = [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['*'], resources: ['*'] }];
  const w = world({ policies: [p], bindings: [binding('b', 'p')] });
  const vap = RESOURCES.find((r) => r.resource === 'validatingadmissionpolicies') as ResourceInfo;
  await validatingAdmissionPolicy(source(w)).validate!(attrs({ metadata: { name: 'x' } }, { info: vap }));
});

test('rule matching: subresources, scope, wildcards', () => {
  const a = { operation: 'UPDATE' as const, name: 'web' };
  const r = { group: 'apps', version: 'v1', resource: 'deployments', subresource: '', namespaced: true };
  const rule = { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['UPDATE' as const] };
  assert.equal(ruleMatches({ ...rule, resources: ['deployments'] }, a, r), true);
  assert.equal(ruleMatches({ ...rule, resources: ['*'] }, a, r), true);
  assert.equal(ruleMatches({ ...rule, resources: ['*'] }, a, { ...r, subresource: 'scale' }), false);
  assert.equal(ruleMatches({ ...rule, resources: ['*/*'] }, a, { ...r, subresource: 'scale' }), true);
  assert.equal(ruleMatches({ ...rule, resources: ['*/scale'] }, a, { ...r, subresource: 'scale' }), true);
  assert.equal(ruleMatches({ ...rule, resources: ['deployments/*'] }, a, { ...r, subresource: 'status' }), true);
  assert.equal(ruleMatches({ ...rule, resources: ['deployments'], scope: 'Cluster' }, a, r), false);
  assert.equal(ruleMatches({ ...rule, resources: ['deployments'], resourceNames: ['other'] }, a, r), false);
  assert.equal(ruleMatches({ ...rule, operations: ['CREATE'], resources: ['deployments'] }, a, r), false);
});

test('authorizer: checks go to the API server\'s authorizer as the request\'s user or a service account', async () => {
  const seen: string[] = [];
  const authorizer = {
    name: 'fake',
    async authorize(q: { user: { name: string }; verb: string; resource: string; subresource: string; namespace: string }) {
      seen.push(`${q.user.name} ${q.verb} ${q.resource}${q.subresource ? `/${q.subresource}` : ''} ${q.namespace}`);
      return { decision: q.user.name === 'admin' || q.verb === 'get' ? 'allow' as const : 'no-opinion' as const, reason: '' };
    },
  };
  const p = policy('p', {
    variables: [{ name: 'privileged', expression: 'authorizer.group("apps").resource("deployments").subresource("scale").namespace(request.namespace).check("update").allowed()' }],
    validations: [{ expression: 'variables.privileged || object.spec.replicas <= 2', message: 'only privileged users may ask for more than 2 replicas' }],
  });
  const w = world({ policies: [p], bindings: [binding('b', 'p')] });
  const plugin = validatingAdmissionPolicy(source(w), { authorizer });
  await plugin.validate!(attrs(deployment(2)));
  assert.match((await refusal(() => plugin.validate!(attrs(deployment(3))))).message, /denied request: only privileged users may ask for more than 2 replicas$/);
  await plugin.validate!({ ...attrs(deployment(3)), user: { name: 'admin', groups: [] } });
  assert.deepEqual(seen, ['jane update deployments/scale prod', 'admin update deployments/scale prod']);
  // Without an authorizer, `authorizer` is null and the expression fails (failurePolicy applies).
  assert.match((await refusal(() => validatingAdmissionPolicy(source(w)).validate!(attrs(deployment(3))))).message, /resulted in error/);
});
