import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { lookupKind } from '../scheme.ts';
import { applyDefaults, imageTag } from './index.ts';

function defaulted(apiVersion: string, kind: string, rest: Record<string, unknown>, metadata: KubeObject['metadata'] = { name: 'x' }): any {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') as [string, string] : ['', apiVersion];
  const info = lookupKind(group, version, kind);
  assert.ok(info, `${apiVersion} ${kind}`);
  const obj: KubeObject = { apiVersion, kind, metadata, ...structuredClone(rest) };
  applyDefaults(info, obj);
  return obj;
}

const podSpec = () => ({
  containers: [{
    name: 'web', image: 'nginx:1.25',
    ports: [{ containerPort: 80 }],
    livenessProbe: { httpGet: { port: 80 } },
    env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
    resources: { limits: { cpu: '1' } },
    volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }],
  }, { name: 'side', image: 'busybox' }],
  volumes: [{ name: 'cfg', configMap: { name: 'c' } }, { name: 'scratch' }, { name: 's', secret: { secretName: 's' } }],
});

describe('imageTag', () => {
  it('finds tags as the docker reference grammar does', () => {
    assert.equal(imageTag('nginx'), 'latest');
    assert.equal(imageTag('nginx:latest'), 'latest');
    assert.equal(imageTag('localhost:5000/nginx'), 'latest');
    assert.equal(imageTag('localhost:5000/nginx:1.2'), '1.2');
    assert.equal(imageTag('nginx@sha256:abc'), '');
  });
});

describe('applyDefaults', () => {
  it('defaults pods as the API server does', () => {
    const pod = defaulted('v1', 'Pod', { spec: podSpec() });
    const s = pod.spec;
    assert.equal(s.restartPolicy, 'Always');
    assert.equal(s.dnsPolicy, 'ClusterFirst');
    assert.equal(s.schedulerName, 'default-scheduler');
    assert.equal(s.terminationGracePeriodSeconds, 30);
    assert.deepEqual(s.securityContext, {});
    assert.equal(s.enableServiceLinks, true);
    assert.equal(s.priority, undefined, 'the Priority admission plugin sets it, not defaulting');
    assert.equal(s.serviceAccountName, undefined);
    const [web, side] = s.containers;
    assert.equal(web.imagePullPolicy, 'IfNotPresent');
    assert.equal(side.imagePullPolicy, 'Always');
    assert.equal(web.terminationMessagePath, '/dev/termination-log');
    assert.equal(web.terminationMessagePolicy, 'File');
    assert.equal(web.ports[0].protocol, 'TCP');
    assert.deepEqual(web.resources, { limits: { cpu: '1' }, requests: { cpu: '1' } });
    assert.deepEqual(side.resources, {});
    assert.deepEqual(web.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    assert.equal(web.env[0].valueFrom.fieldRef.apiVersion, 'v1');
    assert.equal(s.volumes[0].configMap.defaultMode, 420);
    assert.deepEqual(s.volumes[1].emptyDir, {});
    assert.equal(s.volumes[2].secret.defaultMode, 420);
  });

  it('keeps values that are set', () => {
    const pod = defaulted('v1', 'Pod', { spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'a', imagePullPolicy: 'Never' }] } });
    assert.equal(pod.spec.restartPolicy, 'Never');
    assert.equal(pod.spec.containers[0].imagePullPolicy, 'Never');
  });

  it('defaults host ports on the host network', () => {
    const pod = defaulted('v1', 'Pod', { spec: { hostNetwork: true, containers: [{ name: 'a', image: 'a', ports: [{ containerPort: 53, protocol: 'UDP' }] }] } });
    assert.deepEqual(pod.spec.containers[0].ports[0], { containerPort: 53, protocol: 'UDP', hostPort: 53 });
  });

  it('defaults services', () => {
    const svc = defaulted('v1', 'Service', { spec: { selector: { app: 'web' }, ports: [{ port: 80 }, { port: 443, targetPort: 'https' }] } });
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.equal(svc.spec.sessionAffinity, 'None');
    assert.deepEqual(svc.spec.ports[0], { port: 80, protocol: 'TCP', targetPort: 80 });
    assert.equal(svc.spec.ports[1].targetPort, 'https');
    assert.equal(svc.spec.ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
    assert.equal(svc.spec.internalTrafficPolicy, 'Cluster');
    assert.equal(svc.spec.externalTrafficPolicy, undefined);
    const np = defaulted('v1', 'Service', { spec: { type: 'NodePort', ports: [{ port: 80 }] } });
    assert.equal(np.spec.externalTrafficPolicy, 'Cluster');
    const ext = defaulted('v1', 'Service', { spec: { type: 'ExternalName', externalName: 'example.com' } });
    assert.equal(ext.spec.ipFamilyPolicy, undefined);
    assert.equal(ext.spec.internalTrafficPolicy, undefined);
  });

  it('defaults deployments and their pod template', () => {
    const d = defaulted('apps/v1', 'Deployment', { spec: { selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: podSpec() } } });
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    assert.equal(d.spec.template.spec.restartPolicy, 'Always');
    assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal(d.spec.template.spec.priority, undefined);
    const recreate = defaulted('apps/v1', 'Deployment', { spec: { strategy: { type: 'Recreate' } } });
    assert.deepEqual(recreate.spec.strategy, { type: 'Recreate' });
  });

  it('defaults statefulsets, daemonsets and replicasets', () => {
    const sts = defaulted('apps/v1', 'StatefulSet', { spec: { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] } });
    assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.equal(sts.spec.replicas, 1);
    assert.equal(sts.spec.revisionHistoryLimit, 10);
    assert.equal(sts.spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
    const ds = defaulted('apps/v1', 'DaemonSet', { spec: {} });
    assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(ds.spec.revisionHistoryLimit, 10);
    assert.equal(defaulted('apps/v1', 'ReplicaSet', { spec: {} }).spec.replicas, 1);
  });

  it('defaults jobs and generates their selector', () => {
    const job = defaulted('batch/v1', 'Job', { spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } } }, { name: 'pi', uid: 'u-1' });
    assert.equal(job.spec.parallelism, 1);
    assert.equal(job.spec.completions, 1);
    assert.equal(job.spec.backoffLimit, 6);
    assert.equal(job.spec.completionMode, 'NonIndexed');
    assert.equal(job.spec.suspend, false);
    assert.equal(job.spec.template.spec.restartPolicy, undefined);
    assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
    assert.equal(job.spec.template.metadata.labels['batch.kubernetes.io/job-name'], 'pi');
    const par = defaulted('batch/v1', 'Job', { spec: { parallelism: 3 } });
    assert.equal(par.spec.completions, undefined);
  });

  it('defaults cronjobs but not the job spec inside', () => {
    const cj = defaulted('batch/v1', 'CronJob', { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'a:1' }] } } } } } });
    assert.equal(cj.spec.concurrencyPolicy, 'Allow');
    assert.equal(cj.spec.suspend, false);
    assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
    assert.equal(cj.spec.failedJobsHistoryLimit, 1);
    assert.equal(cj.spec.jobTemplate.spec.backoffLimit, undefined);
    assert.equal(cj.spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  });

  it('defaults the remaining kinds', () => {
    const ns = defaulted('v1', 'Namespace', {}, { name: 'team' });
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    assert.equal(ns.status.phase, 'Active');
    assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], 'team');
    assert.equal(defaulted('v1', 'Secret', {}).type, 'Opaque');
    assert.equal(defaulted('v1', 'PersistentVolumeClaim', { spec: {} }).spec.volumeMode, 'Filesystem');
    const pv = defaulted('v1', 'PersistentVolume', { spec: {} });
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(pv.spec.volumeMode, 'Filesystem');
    const sc = defaulted('storage.k8s.io/v1', 'StorageClass', { provisioner: 'x' });
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.volumeBindingMode, 'Immediate');
    assert.equal(defaulted('autoscaling/v2', 'HorizontalPodAutoscaler', { spec: {} }).spec.minReplicas, 1);
    assert.equal(defaulted('autoscaling/v1', 'HorizontalPodAutoscaler', { spec: {} }).spec.minReplicas, 1);
    assert.equal(defaulted('discovery.k8s.io/v1', 'EndpointSlice', { addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }] }).ports[0].protocol, 'TCP');
    assert.deepEqual(defaulted('networking.k8s.io/v1', 'NetworkPolicy', { spec: { egress: [{}] } }).spec.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(defaulted('networking.k8s.io/v1', 'NetworkPolicy', { spec: { podSelector: {} } }).spec.policyTypes, ['Ingress']);
    const rc = defaulted('v1', 'ReplicationController', { spec: { template: { metadata: { labels: { app: 'a' } } } } });
    assert.deepEqual(rc.spec.selector, { app: 'a' });
    assert.equal(rc.spec.replicas, 1);
  });

  it('leaves kinds without defaults alone', () => {
    const cm = defaulted('v1', 'ConfigMap', { data: { a: 'b' } });
    assert.deepEqual(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } });
  });
});

describe('secret stringData', () => {
  it('folds stringData into data', () => {
    const s = defaulted('v1', 'Secret', { data: { a: 'eA==' }, stringData: { b: 'hello' } });
    assert.deepEqual(s.data, { a: 'eA==', b: 'aGVsbG8=' });
    assert.equal(s.stringData, undefined);
  });
});
