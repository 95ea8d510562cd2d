import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDefaults } from '../defaults/index.ts';
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../meta.ts';
import { lookupKind, type ResourceInfo } from '../scheme.ts';
import { validateCreate, validateUpdate } from './index.ts';

function infoFor(apiVersion: string, kind: string): ResourceInfo {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') as [string, string] : ['', apiVersion];
  const info = lookupKind(group, version, kind);
  assert.ok(info, `${apiVersion} ${kind}`);
  return info;
}

/** A defaulted object, as the server validates it. */
function make(apiVersion: string, kind: string, rest: Record<string, unknown>, metadata: Partial<KubeObject['metadata']> = {}): KubeObject {
  const info = infoFor(apiVersion, kind);
  const obj: KubeObject = { apiVersion, kind, metadata: { name: 'x', ...(info.namespaced ? { namespace: 'default' } : {}), uid: 'uid-1', ...metadata }, ...structuredClone(rest) };
  applyDefaults(info, obj);
  return obj;
}

const create = (o: KubeObject): FieldError[] => validateCreate(infoFor(o.apiVersion!, o.kind!), o);
const update = (o: KubeObject, old: KubeObject): FieldError[] => validateUpdate(infoFor(o.apiVersion!, o.kind!), o, old);
const brief = (errs: FieldError[]): string[] => errs.map((e) => `${e.type} ${e.field}${e.detail ? `: ${e.detail}` : ''}`);
const fields = (errs: FieldError[]): string[] => errs.map((e) => e.field);

const container = (over: Record<string, unknown> = {}) => ({ name: 'web', image: 'nginx:1.25', ...over });
const pod = (spec: Record<string, unknown> = {}, meta: Partial<KubeObject['metadata']> = {}) => make('v1', 'Pod', { spec: { containers: [container()], ...spec } }, meta);
const template = (labels: Record<string, string>, spec: Record<string, unknown> = {}) => ({ metadata: { labels }, spec: { containers: [container()], ...spec } });

describe('metadata', () => {
  it('accepts a valid pod', () => {
    assert.deepEqual(create(pod()), []);
  });

  it('requires and checks names', () => {
    assert.deepEqual(brief(create(pod({}, { name: '' }))), ['FieldValueRequired metadata.name: name or generateName is required']);
    const [e] = create(pod({}, { name: 'Web_1' }));
    assert.equal(e?.field, 'metadata.name');
    assert.equal(e?.badValue, 'Web_1');
    assert.match(e?.detail ?? '', /^a lowercase RFC 1123 subdomain must consist of/);
    assert.deepEqual(create(pod({}, { name: 'web.example' })), []);
    assert.match(create(make('v1', 'Namespace', {}, { name: 'a.b' }))[0]!.detail, /RFC 1123 label/);
    assert.match(create(make('v1', 'Service', { spec: { ports: [{ port: 80 }] } }, { name: 'a.b' }))[0]!.detail, /RFC 1123 label/);
    assert.match(create(make('apps/v1', 'StatefulSet', { spec: { selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }) } }, { name: 'a.b' }))[0]!.detail, /RFC 1123 label/);
    assert.deepEqual(brief(create(make('batch/v1', 'CronJob', { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template({}, { restartPolicy: 'Never' }) } } } }, { name: 'a'.repeat(53) }))),
      ['FieldValueInvalid metadata.name: must be no more than 52 characters']);
  });

  it('checks namespaces by scope', () => {
    assert.deepEqual(brief(create(pod({}, { namespace: '' }))), ['FieldValueRequired metadata.namespace']);
    assert.deepEqual(brief(create(make('v1', 'Node', {}, { namespace: 'x' }))), ['FieldValueForbidden metadata.namespace: not allowed on this type']);
  });

  it('checks labels and annotations', () => {
    const errs = create(pod({}, { labels: { 'bad key': 'v', ok: 'bad value', 'example.com/app': 'web' }, annotations: { 'Example.com/x': 'any value at all' } }));
    assert.deepEqual(fields(errs), ['metadata.labels', 'metadata.labels']);
    assert.equal(errs[0]?.badValue, 'bad key');
    assert.match(errs[0]?.detail ?? '', /^name part must consist of/);
    assert.match(errs[1]!.detail, /^a valid label must be an empty string/);
    const big = create(pod({}, { annotations: { a: 'x'.repeat(256 * 1024) } }));
    assert.deepEqual(brief(big), ['FieldValueTooLong metadata.annotations: must have at most 262144 bytes']);
  });

  it('checks finalizers and owner references', () => {
    assert.deepEqual(brief(create(pod({}, { finalizers: ['foo'] }))), ['FieldValueInvalid metadata.finalizers[0]: name is neither a standard finalizer name nor is it fully qualified']);
    assert.deepEqual(create(pod({}, { finalizers: ['example.com/foo', 'foregroundDeletion'] })), []);
    const refs = [{ apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true }, { apiVersion: 'v1', kind: 'B', name: 'b', uid: '2', controller: true }];
    assert.match(create(pod({}, { ownerReferences: refs }))[0]!.detail, /Only one reference can have Controller set to true/);
  });
});

describe('pods', () => {
  it('requires containers, names and images', () => {
    assert.deepEqual(brief(create(pod({ containers: [] }))), ['FieldValueRequired spec.containers']);
    const errs = create(pod({ containers: [{ name: '' }] }));
    assert.deepEqual(brief(errs), ['FieldValueRequired spec.containers[0].name', 'FieldValueRequired spec.containers[0].image']);
  });

  it('rejects duplicate container names across init and regular containers', () => {
    const errs = create(pod({ initContainers: [container()], containers: [container(), container({ name: 'b' }), container({ name: 'b' })] }));
    assert.deepEqual(brief(errs), ['FieldValueDuplicate spec.containers[0].name', 'FieldValueDuplicate spec.containers[2].name']);
    assert.equal(errs[0]?.badValue, 'web');
  });

  it('checks ports', () => {
    const errs = create(pod({ containers: [container({ ports: [
      { containerPort: 70000 }, { containerPort: 80, hostPort: -1, name: 'HTTP' }, { containerPort: 81, protocol: 'ICMP' }, { name: 'x' },
    ] })] }));
    assert.deepEqual(brief(errs), [
      'FieldValueInvalid spec.containers[0].ports[0].containerPort: must be between 1 and 65535, inclusive',
      'FieldValueInvalid spec.containers[0].ports[1].name: must contain only alphanumeric characters (a-z, 0-9), and hyphens (-)',
      'FieldValueInvalid spec.containers[0].ports[1].name: must contain at least one letter (a-z)',
      'FieldValueInvalid spec.containers[0].ports[1].hostPort: must be between 1 and 65535, inclusive',
      'FieldValueNotSupported spec.containers[0].ports[2].protocol: supported values: "SCTP", "TCP", "UDP"',
      'FieldValueRequired spec.containers[0].ports[3].containerPort',
    ]);
  });

  it('checks restartPolicy and dnsPolicy', () => {
    assert.deepEqual(brief(create(pod({ restartPolicy: 'Sometimes', dnsPolicy: 'Nope' }))), [
      'FieldValueNotSupported spec.restartPolicy: supported values: "Always", "OnFailure", "Never"',
      'FieldValueNotSupported spec.dnsPolicy: supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ]);
  });

  it('checks resources', () => {
    const res = (r: unknown) => create(pod({ containers: [container({ resources: r })] }));
    assert.deepEqual(res({ requests: { cpu: '100m', memory: '123Mi' }, limits: { cpu: '0.5', memory: '129M' } }), []);
    assert.deepEqual(brief(res({ requests: { cpu: '2' }, limits: { cpu: '1' } })), ['FieldValueInvalid spec.containers[0].resources.requests: must be less than or equal to cpu limit of 1']);
    const p = pod({ containers: [container({ resources: { limits: { memory: '12XB', cpu: '-1', gpu: '1' } } })] }) as any;
    delete p.spec.containers[0].resources.requests;
    const bad = create(p);
    assert.deepEqual(brief(bad), [
      "FieldValueInvalid spec.containers[0].resources.limits[memory]: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      'FieldValueInvalid spec.containers[0].resources.limits[cpu]: must be greater than or equal to 0',
      'FieldValueInvalid spec.containers[0].resources.limits[gpu]: must be a standard resource for containers',
    ]);
    assert.deepEqual(brief(res({ requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '2' } })), ['FieldValueInvalid spec.containers[0].resources.requests: must be equal to example.com/gpu limit of 2']);
  });

  it('checks volumes and mounts', () => {
    const errs = create(pod({
      containers: [container({ volumeMounts: [{ name: 'data', mountPath: '/d' }, { name: 'missing', mountPath: '/m' }, { name: 'data', mountPath: '/d' }, { name: 'data' }] })],
      volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {}, hostPath: { path: '/x' } }, { name: 'cm', configMap: {} }],
    }));
    assert.deepEqual(brief(errs), [
      'FieldValueDuplicate spec.volumes[1].name',
      'FieldValueForbidden spec.volumes[1].emptyDir: may not specify more than 1 volume type',
      'FieldValueRequired spec.volumes[2].configMap.name',
      'FieldValueInvalid spec.containers[0].volumeMounts[1].name: not found',
      'FieldValueInvalid spec.containers[0].volumeMounts[2].mountPath: must be unique',
      'FieldValueRequired spec.containers[0].volumeMounts[3].mountPath',
    ]);
  });

  it('checks env', () => {
    const errs = create(pod({ containers: [container({ env: [
      { name: '1BAD', value: 'x' }, { name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'B', valueFrom: {} }, { name: 'OK', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
    ] })] }));
    assert.deepEqual(fields(errs), ['spec.containers[0].env[0].name', 'spec.containers[0].env[1].valueFrom', 'spec.containers[0].env[2].valueFrom']);
    assert.match(errs[0]!.detail, /^a valid environment variable name must consist of/);
    assert.equal(errs[1]!.detail, 'may not be specified when `value` is not empty');
  });

  it('checks probes', () => {
    const errs = create(pod({ containers: [container({ livenessProbe: { successThreshold: 2, httpGet: { port: 80 } }, readinessProbe: { periodSeconds: 5 } })] }));
    assert.deepEqual(brief(errs), ['FieldValueInvalid spec.containers[0].livenessProbe.successThreshold: must be 1', 'FieldValueRequired spec.containers[0].readinessProbe: must specify a handler type']);
  });

  it('limits pod updates', () => {
    const old = pod({ tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }], activeDeadlineSeconds: 100 });
    const ok = structuredClone(old) as any;
    ok.spec.containers[0].image = 'nginx:1.26';
    ok.spec.tolerations.push({ key: 'b', operator: 'Exists' });
    ok.spec.activeDeadlineSeconds = 50;
    assert.deepEqual(update(ok, old), []);
    const bad = structuredClone(old) as any;
    bad.spec.containers[0].name = 'other';
    bad.spec.activeDeadlineSeconds = 200;
    bad.spec.tolerations = [];
    assert.deepEqual(brief(update(bad, old)).map((s) => s.slice(0, 70)), [
      'FieldValueInvalid spec.activeDeadlineSeconds: must be less than or equal to previou',
      'FieldValueForbidden spec.tolerations: existing toleration can not be modified except ',
      'FieldValueForbidden spec: pod updates may not change fields other than `spec.containe',
    ].map((s) => s.slice(0, 70)));
  });
});

describe('workloads', () => {
  const deployment = (spec: Record<string, unknown>) => make('apps/v1', 'Deployment', { spec });

  it('accepts a valid deployment', () => {
    assert.deepEqual(create(deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) })), []);
  });

  it('requires a selector that matches the template', () => {
    assert.deepEqual(brief(create(deployment({ template: template({ app: 'web' }) }))), ['FieldValueRequired spec.selector']);
    assert.deepEqual(brief(create(deployment({ selector: {}, template: template({ app: 'web' }) }))), ['FieldValueInvalid spec.selector: empty selector is invalid for deployment']);
    const errs = create(deployment({ selector: { matchLabels: { app: 'api' } }, template: template({ app: 'web' }) }));
    assert.deepEqual(brief(errs), ['FieldValueInvalid spec.template.metadata.labels: `selector` does not match template `labels`']);
    assert.deepEqual(errs[0]?.badValue, { app: 'web' });
    const expr = create(deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['x'] }] }, template: template({ app: 'web' }) }));
    assert.deepEqual(brief(expr), ['FieldValueInvalid spec.selector.matchExpressions[0].operator: not a valid selector operator']);
  });

  it('checks template pod specs, restart policy and strategy', () => {
    const errs = create(deployment({
      replicas: -1, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }, { restartPolicy: 'Never', containers: [{ name: 'c' }] }),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } },
    }));
    assert.deepEqual(brief(errs), [
      'FieldValueInvalid spec.replicas: must be greater than or equal to 0',
      'FieldValueRequired spec.template.spec.containers[0].image',
      'FieldValueNotSupported spec.template.spec.restartPolicy: supported values: "Always"',
      'FieldValueInvalid spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when `maxSurge` is 0',
    ]);
  });

  it('makes selectors immutable', () => {
    const old = deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web', v: '1' }) });
    const next = structuredClone(old) as any;
    next.spec.selector.matchLabels.v = '1';
    assert.deepEqual(brief(update(next, old)), ['FieldValueInvalid spec.selector: field is immutable']);
    const scaled = structuredClone(old) as any;
    scaled.spec.replicas = 5;
    assert.deepEqual(update(scaled, old), []);
  });

  it('validates replicasets, daemonsets, statefulsets and replication controllers', () => {
    const spec = { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) };
    for (const kind of ['ReplicaSet', 'DaemonSet', 'StatefulSet']) assert.deepEqual(create(make('apps/v1', kind, { spec })), [], kind);
    assert.deepEqual(brief(create(make('apps/v1', 'DaemonSet', { spec: { ...spec, selector: {} } }))), ['FieldValueInvalid spec.selector: empty selector is invalid for daemonset']);
    const sts = make('apps/v1', 'StatefulSet', { spec: { ...spec, serviceName: 'web' } });
    const changed = structuredClone(sts) as any;
    changed.spec.serviceName = 'other';
    assert.match(update(changed, sts)[0]!.detail, /^updates to statefulset spec for fields other than 'replicas'/);
    // A mount may name a claim template (the StatefulSet controller adds the claim as a volume),
    // but only in a StatefulSet, and not a name neither a volume nor a claim template declares.
    const mounts = template({ app: 'web' }, { containers: [container({ volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] })] });
    const claims = [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }];
    assert.deepEqual(create(make('apps/v1', 'StatefulSet', { spec: { ...spec, serviceName: 'web', template: mounts, volumeClaimTemplates: claims } })), []);
    assert.deepEqual(brief(create(make('apps/v1', 'StatefulSet', { spec: { ...spec, serviceName: 'web', template: mounts } }))),
      ['FieldValueInvalid spec.template.spec.containers[0].volumeMounts[0].name: not found']);
    assert.deepEqual(brief(create(make('apps/v1', 'Deployment', { spec: { ...spec, template: mounts, volumeClaimTemplates: claims } }))).filter((e) => e.includes('volumeMounts')),
      ['FieldValueInvalid spec.template.spec.containers[0].volumeMounts[0].name: not found']);
    assert.deepEqual(create(make('v1', 'ReplicationController', { spec: { template: template({ app: 'web' }) } })), []);
    assert.deepEqual(brief(create(make('v1', 'ReplicationController', { spec: { selector: { app: 'x' }, template: template({ app: 'web' }) } }))),
      ['FieldValueInvalid spec.template.metadata.labels: `selector` does not match template `labels`']);
  });

  it('requires OnFailure or Never for jobs', () => {
    const job = (restartPolicy?: string) => make('batch/v1', 'Job', { spec: { template: template({}, restartPolicy ? { restartPolicy } : {}) } });
    assert.deepEqual(create(job('Never')), []);
    assert.deepEqual(brief(create(job())), ['FieldValueRequired spec.template.spec.restartPolicy: valid values: "OnFailure", "Never"']);
    assert.deepEqual(brief(create(job('Always'))), ['FieldValueNotSupported spec.template.spec.restartPolicy: supported values: "OnFailure", "Never"']);
    const old = job('Never');
    const next = structuredClone(old) as any;
    next.spec.template.spec.containers[0].image = 'other';
    next.spec.completions = 3;
    assert.deepEqual(fields(update(next, old)), ['spec.completions', 'spec.template']);
  });

  it('validates cronjobs', () => {
    const cron = (schedule: string, restartPolicy = 'OnFailure') => make('batch/v1', 'CronJob', { spec: { schedule, jobTemplate: { spec: { template: template({}, { restartPolicy }) } } } });
    assert.deepEqual(create(cron('*/5 * * * *')), []);
    assert.deepEqual(create(cron('@hourly')), []);
    assert.deepEqual(fields(create(cron('* * *'))), ['spec.schedule']);
    assert.deepEqual(fields(create(cron('* * * * *', 'Always'))), ['spec.jobTemplate.spec.template.spec.restartPolicy']);
  });
});

describe('services', () => {
  const svc = (spec: Record<string, unknown>) => make('v1', 'Service', { spec });

  it('accepts valid services', () => {
    assert.deepEqual(create(svc({ selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'https', port: 443, targetPort: 8443 }] })), []);
    assert.deepEqual(create(svc({ clusterIP: 'None' })), []);
    assert.deepEqual(create(svc({ type: 'ExternalName', externalName: 'example.com' })), []);
  });

  it('checks ports, types and names', () => {
    assert.deepEqual(brief(create(svc({}))), ['FieldValueRequired spec.ports']);
    const errs = create(svc({ type: 'Fancy', ports: [{ port: 0 }, { name: 'b', port: 80, targetPort: 70000, nodePort: 30000 }, { name: 'b', port: 81, targetPort: 'Bad Name' }] }));
    assert.deepEqual(fields(errs), [
      'spec.type', 'spec.ports[0].name', 'spec.ports[0].port', 'spec.ports[0].targetPort', 'spec.ports[1].targetPort',
      'spec.ports[2].name', 'spec.ports[2].targetPort',
    ]);
    assert.deepEqual(brief(create(svc({ ports: [{ port: 80, nodePort: 30000 }] }))), ["FieldValueForbidden spec.ports[0].nodePort: may not be used when `type` is 'ClusterIP'"]);
    assert.deepEqual(brief(create(svc({ type: 'ExternalName' }))), ['FieldValueRequired spec.externalName']);
    assert.deepEqual(fields(create(svc({ ports: [{ port: 80 }], selector: { app: 'bad value' } }))), ['spec.selector']);
  });

  it('keeps the cluster IP', () => {
    const old = svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.10' });
    const moved = structuredClone(old) as any;
    moved.spec.clusterIP = '10.96.0.11';
    assert.deepEqual(brief(update(moved, old)), ['FieldValueInvalid spec.clusterIP: field is immutable']);
    const same = structuredClone(old) as any;
    same.spec.ports[0].port = 81;
    assert.deepEqual(update(same, old), []);
  });
});

describe('configmaps and secrets', () => {
  it('checks keys and size', () => {
    assert.deepEqual(create(make('v1', 'ConfigMap', { data: { 'app.properties': 'x', KEY_NAME: 'y' } })), []);
    const errs = create(make('v1', 'ConfigMap', { data: { 'a/b': 'x', big: 'x'.repeat(1024 * 1024) } }));
    assert.deepEqual(fields(errs), ['data[a/b]', 'data']);
    assert.match(errs[0]!.detail, /^a valid config key must consist of alphanumeric characters/);
    assert.equal(errs[1]!.type, 'FieldValueTooLong');
    assert.deepEqual(brief(create(make('v1', 'Secret', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }))), ['FieldValueRequired data[tls.key]']);
  });

  it('freezes immutable objects and secret types', () => {
    const old = make('v1', 'ConfigMap', { data: { a: '1' }, immutable: true });
    const next = structuredClone(old);
    next.data = { a: '2' };
    assert.deepEqual(brief(update(next, old)), ['FieldValueForbidden data: field is immutable when `immutable` is set']);
    const unfreeze = structuredClone(old);
    unfreeze.immutable = false;
    assert.deepEqual(brief(update(unfreeze, old)), ['FieldValueForbidden immutable: field is immutable when `immutable` is set']);
    const secret = make('v1', 'Secret', { data: { a: 'eA==' } });
    const retyped = structuredClone(secret);
    retyped.type = 'example.com/custom';
    assert.deepEqual(fields(update(retyped, secret)), ['type']);
    const edited = structuredClone(secret);
    edited.data = { a: 'eQ==' };
    assert.deepEqual(update(edited, secret), []);
  });
});

describe('other kinds', () => {
  it('has minimal checks', () => {
    assert.deepEqual(create(make('v1', 'Namespace', {}, { name: 'team-a' })), []);
    assert.deepEqual(create(make('coordination.k8s.io/v1', 'Lease', { spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } })), []);
    assert.deepEqual(fields(create(make('coordination.k8s.io/v1', 'Lease', { spec: { leaseDurationSeconds: 0 } }))), ['spec.leaseDurationSeconds']);
    assert.deepEqual(create(make('v1', 'Node', { status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' } } })), []);
    assert.deepEqual(create(make('v1', 'Event', { involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' }, reason: 'Started', type: 'Normal' }, { name: 'web.1' })), []);
    assert.deepEqual(fields(create(make('v1', 'Event', { involvedObject: { namespace: 'other' }, type: 'Odd' }))), ['type', 'involvedObject.namespace']);
    assert.deepEqual(create(make('v1', 'PersistentVolumeClaim', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } })), []);
    assert.deepEqual(fields(create(make('v1', 'PersistentVolumeClaim', { spec: {} }))), ['spec.accessModes', 'spec.resources[storage]']);
    assert.deepEqual(create(make('storage.k8s.io/v1', 'StorageClass', { provisioner: 'rancher.io/local-path' })), []);
    assert.deepEqual(fields(create(make('autoscaling/v2', 'HorizontalPodAutoscaler', { spec: { scaleTargetRef: { kind: 'Deployment', name: 'w' }, minReplicas: 3, maxReplicas: 2 } }))), ['spec.maxReplicas']);
    assert.deepEqual(create(make('v1', 'ServiceAccount', {})), []);
  });
});

describe('hostile input', () => {
  it('answers huge lists in one linear pass, without overflowing on their errors', () => {
    assert.deepEqual(create(pod({ containers: [container({ command: Array.from({ length: 100_000 }, (_, i) => `a${i}`) })] })), []);
    assert.deepEqual(create(pod({ containers: [container({ env: Array.from({ length: 50_000 }, (_, i) => ({ name: `E${i}`, value: 'v' })) })] })), []);
    // 200,000 errors: `errs.push(...list)` would pass them as arguments and overflow the stack.
    const badEnv = create(pod({ containers: [container({ env: Array.from({ length: 200_000 }, (_, i) => ({ name: `1E${i}` })) })] }));
    assert.equal(badEnv.length, 200_000);
    const ports = Array.from({ length: 20_000 }, (_, i) => ({ name: `p${i}`, port: (i % 60_000) + 1, protocol: 'TCP', targetPort: 80 }));
    assert.deepEqual(create(make('v1', 'Service', { spec: { type: 'ClusterIP', ports } })), []);
  });

  it('compares 20,000 tolerations on a pod update as a set', () => {
    const tolerations = Array.from({ length: 20_000 }, (_, i) => ({ key: `k${i}`, operator: 'Exists', effect: 'NoSchedule' }));
    const old = pod({ tolerations });
    assert.deepEqual(update(pod({ tolerations: [...tolerations].reverse() }), old), []);
    assert.deepEqual(brief(update(pod({ tolerations: tolerations.slice(1) }), old)), ['FieldValueForbidden spec.tolerations: existing toleration can not be modified except its tolerationSeconds']);
  });

  it('checks the length of a name before anything proportional to it', () => {
    const errs = create(pod({}, { name: 'a'.repeat(1 << 20) }));
    assert.deepEqual(brief(errs), ['FieldValueInvalid metadata.name: must be no more than 253 characters']);
  });

  it('never calls into a value: objects with "toString" or "valueOf" members are just wrong values', () => {
    const hostile = { toString: 1, valueOf: 1 };
    const p = pod({ restartPolicy: hostile, dnsPolicy: hostile, containers: [container({ imagePullPolicy: hostile, ports: [{ containerPort: hostile, protocol: hostile, name: hostile }] })] });
    const errs = create(p);
    assert.ok(errs.some((e) => e.field === 'spec.restartPolicy'), brief(errs).join('\n'));
    assert.ok(errs.some((e) => e.field === 'spec.containers[0].ports[0].containerPort'), brief(errs).join('\n'));
    const svc = make('v1', 'Service', { spec: { type: hostile, ports: [{ port: hostile, protocol: hostile, targetPort: hostile, nodePort: hostile }] } });
    assert.ok(create(svc).length > 0);
  });
});
