// ValidatingAdmissionPolicy end to end with real kubectl: a policy and its binding refuse a
// Deployment with too many replicas (the policy's message), a Warn binding's warning is printed
// by kubectl, parameters come from a ConfigMap, and a policy whose CEL does not compile is
// refused at create. Policies take effect once the API server's cache has seen them (as
// upstream's informers), so the first request after creating one is retried until it applies.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, serverForSuite } from './api-helpers.ts';
import { kubectl, type KubectlResult } from './harness.ts';

const V = '1.33';

const policy = (name: string, spec: string): string => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: ${name}
spec:
${spec}`;

const binding = (name: string, policyName: string, spec: string): string => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: ${name}
spec:
  policyName: ${policyName}
${spec}`;

const deploymentYaml = (name: string, replicas: number, namespace = 'default'): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: c
        image: registry.k8s.io/pause:3.9
`;

const DEPLOYMENT_RULES = `  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
`;

describe('ValidatingAdmissionPolicy', () => {
  const ctx = serverForSuite({ before, after });
  const k = (args: string[], input?: string): Promise<KubectlResult> => kubectl(V, ctx.srv, args, input === undefined ? {} : { input });
  const apply = async (yaml: string): Promise<void> => {
    const r = await k(['apply', '-f', '-'], yaml);
    assert.equal(r.code, 0, r.stderr);
  };
  /** Dry-run creates until `accept` says the policy took effect. */
  const once = (what: string, yaml: string, accept: (r: KubectlResult) => boolean): Promise<KubectlResult> =>
    eventually(async () => {
      const r = await k(['create', '--dry-run=server', '-f', '-'], yaml);
      return accept(r) ? r : undefined;
    }, 15_000, what);

  test('ValidatingAdmissionPolicy: should validate against a Deployment — a policy with a Deny binding refuses too many replicas with its message', async () => {
    await apply(policy('max-replicas.example.com', `  failurePolicy: Fail
${DEPLOYMENT_RULES}  validations:
  - expression: "object.spec.replicas <= 5"
    message: "replicas must be no greater than 5"
`));
    await apply(binding('max-replicas-binding.example.com', 'max-replicas.example.com', '  validationActions: [Deny]\n'));
    const refused = await once('the policy to refuse', deploymentYaml('web', 7), (r) => r.code !== 0);
    assert.match(refused.stderr, /The deployments "web" is invalid: : ValidatingAdmissionPolicy 'max-replicas\.example\.com' with binding 'max-replicas-binding\.example\.com' denied request: replicas must be no greater than 5/);
    // A real create is refused the same way; a small one is admitted.
    const r = await k(['create', '-f', '-'], deploymentYaml('web', 7));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /denied request: replicas must be no greater than 5/);
    const ok = await k(['create', '-f', '-'], deploymentYaml('web', 3));
    assert.equal(ok.code, 0, ok.stderr);
    // An UPDATE is checked too (the rule names deployments, not deployments/scale).
    const upd = await k(['patch', 'deployment', 'web', '--type=merge', '-p', '{"spec":{"replicas":9}}']);
    assert.notEqual(upd.code, 0);
    assert.match(upd.stderr, /denied request: replicas must be no greater than 5/);
    // Policies and bindings are listed by kubectl.
    const got = await k(['get', 'validatingadmissionpolicies,validatingadmissionpolicybindings']);
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /max-replicas\.example\.com/);
    assert.match(got.stdout, /max-replicas-binding\.example\.com/);
  });

  test('ValidatingAdmissionPolicy: should allow expressions to refer variables — a Warn binding admits with kubectl\'s warning', async () => {
    await apply(policy('prefer-two.example.com', `${DEPLOYMENT_RULES}  variables:
  - name: replicas
    expression: "object.spec.replicas"
  validations:
  - expression: "variables.replicas <= 2"
    messageExpression: "'prefer at most 2 replicas, got ' + string(variables.replicas)"
`));
    await apply(binding('prefer-two-binding', 'prefer-two.example.com', '  validationActions: [Warn]\n'));
    const warned = await once('the warning', deploymentYaml('warned', 3), (r) => r.stderr.includes('Warning:'));
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /Warning: Validation failed for ValidatingAdmissionPolicy 'prefer-two\.example\.com' with binding 'prefer-two-binding': prefer at most 2 replicas, got 3/);
    const created = await k(['create', '-f', '-'], deploymentYaml('warned', 3));
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /Warning: Validation failed for ValidatingAdmissionPolicy 'prefer-two\.example\.com'/);
    assert.match(created.stdout, /deployment\.apps\/warned created/);
    await k(['delete', 'validatingadmissionpolicybinding', 'prefer-two-binding']);
  });

  test('parameters from a ConfigMap (paramKind, paramRef) and parameterNotFoundAction Deny', async () => {
    assert.equal((await k(['create', 'namespace', 'limited'])).code, 0);
    assert.equal((await k(['label', 'namespace', 'limited', 'replica-limits=on'])).code, 0);
    assert.equal((await k(['create', 'configmap', 'replica-limits', '-n', 'limited', '--from-literal=maxReplicas=1'])).code, 0);
    await apply(policy('replica-limit.example.com', `  paramKind:
    apiVersion: v1
    kind: ConfigMap
${DEPLOYMENT_RULES}  validations:
  - expression: "object.spec.replicas <= int(params.data.maxReplicas)"
    messageExpression: "'at most ' + params.data.maxReplicas + ' replicas in ' + request.namespace"
`));
    await apply(binding('replica-limit-binding', 'replica-limit.example.com', `  paramRef:
    name: replica-limits
    namespace: limited
    parameterNotFoundAction: Deny
  matchResources:
    namespaceSelector:
      matchLabels: {replica-limits: "on"}
  validationActions: [Deny]
`));
    const refused = await once('the parameterised policy', deploymentYaml('api', 2, 'limited'), (r) => r.code !== 0);
    assert.match(refused.stderr, /ValidatingAdmissionPolicy 'replica-limit\.example\.com' with binding 'replica-limit-binding' denied request: at most 1 replicas in limited/);
    assert.equal((await k(['create', '--dry-run=server', '-f', '-'], deploymentYaml('api', 1, 'limited'))).code, 0);
    // kubectl get prints upstream's columns.
    const vap = await k(['get', 'validatingadmissionpolicy', 'replica-limit.example.com']);
    assert.match(vap.stdout, /^NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE\nreplica-limit\.example\.com\s+1\s+v1\/ConfigMap\s+/);
    const vapb = await k(['get', 'validatingadmissionpolicybinding', 'replica-limit-binding']);
    assert.match(vapb.stdout, /^NAME\s+POLICYNAME\s+PARAMREF\s+AGE\nreplica-limit-binding\s+replica-limit\.example\.com\s+limited\/replica-limits\s+/);
    // Namespaces without the label are not bound.
    assert.equal((await k(['create', '--dry-run=server', '-f', '-'], deploymentYaml('api', 2))).code, 0);
    // The parameter changes take effect; without it the binding denies.
    assert.equal((await k(['delete', 'configmap', 'replica-limits', '-n', 'limited'])).code, 0);
    const missing = await once('the missing parameter', deploymentYaml('api', 1, 'limited'), (r) => r.stderr.includes('no params found'));
    assert.match(missing.stderr, /denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction/);
  });

  test('a policy whose CEL does not compile is refused at create with a 422 naming the field', async () => {
    const r = await k(['apply', '-f', '-'], policy('bad.example.com', `${DEPLOYMENT_RULES}  validations:
  - expression: "object.spec.replicas <="
`));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The ValidatingAdmissionPolicy "bad\.example\.com" is invalid: spec\.validations\[0\]\.expression: Invalid value: "object\.spec\.replicas <=": compilation failed: ERROR: <input>:1:24: Syntax error/);
    const undeclared = await k(['apply', '-f', '-'], policy('bad.example.com', `${DEPLOYMENT_RULES}  validations:
  - expression: "params.max > 1"
`));
    assert.notEqual(undeclared.code, 0);
    assert.match(undeclared.stderr, /undeclared reference to 'params'/);
    const b = await k(['apply', '-f', '-'], binding('bad-binding', 'x', '  validationActions: [Deny, Warn]\n'));
    assert.notEqual(b.code, 0);
    assert.match(b.stderr, /spec\.validationActions: Invalid value: .*must not contain both Deny and Warn/);
  });

  test('ValidatingAdmissionPolicy API and ValidatingAdmissionPolicyBinding API: discovery, status subresource, patch, delete by label', async () => {
    const raw = await k(['get', '--raw', '/apis/admissionregistration.k8s.io/v1']);
    assert.equal(raw.code, 0, raw.stderr);
    const names = (JSON.parse(raw.stdout) as { resources: Array<{ name: string }> }).resources.map((r) => r.name);
    for (const n of ['validatingadmissionpolicies', 'validatingadmissionpolicies/status', 'validatingadmissionpolicybindings']) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
    const explain = await k(['explain', 'validatingadmissionpolicies.spec.validations']);
    assert.equal(explain.code, 0, explain.stderr);
    assert.match(explain.stdout, /messageExpression/);
    await apply(policy('api-ops.example.com', `${DEPLOYMENT_RULES}  validations:
  - expression: "true"
`));
    const patched = await k(['patch', 'validatingadmissionpolicy', 'api-ops.example.com', '--type=merge', '-p', '{"metadata":{"labels":{"ops":"yes"}}}']);
    assert.equal(patched.code, 0, patched.stderr);
    const status = await k(['patch', 'validatingadmissionpolicy', 'api-ops.example.com', '--subresource=status', '--type=merge', '-p', '{"status":{"observedGeneration":1}}', '-o', 'jsonpath={.status.observedGeneration}']);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(status.stdout, '1');
    await apply(binding('api-ops-binding', 'api-ops.example.com', '  validationActions: [Audit]\n'));
    assert.equal((await k(['label', 'validatingadmissionpolicybinding', 'api-ops-binding', 'ops=yes'])).code, 0);
    const del = await k(['delete', 'validatingadmissionpolicies,validatingadmissionpolicybindings', '-l', 'ops=yes']);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /validatingadmissionpolicy\.admissionregistration\.k8s\.io "api-ops\.example\.com" deleted/);
    assert.match(del.stdout, /validatingadmissionpolicybinding\.admissionregistration\.k8s\.io "api-ops-binding" deleted/);
  });

  test('kubectl 1.27 sees the same refusal', async () => {
    const r = await kubectl('1.27', ctx.srv, ['create', '--dry-run=server', '-f', '-'], { input: deploymentYaml('old', 8) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ValidatingAdmissionPolicy 'max-replicas\.example\.com' with binding 'max-replicas-binding\.example\.com' denied request: replicas must be no greater than 5/);
  });
});
