import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHECKS, evaluatePod, forbiddenDetail, forbiddenReason } from './checks.ts';
import type { ContainerView, PodMetaView, PodSpecView } from './pod-view.ts';

/** The check as of the latest policy version. */
function run(id: string, spec: PodSpecView, meta: PodMetaView = {}): { reason?: string; detail?: string } {
  const c = CHECKS.find((x) => x.id === id);
  assert.ok(c, id);
  const r = c.versions.at(-1)!.check(meta, spec);
  return r.allowed ? {} : { reason: r.reason!, detail: r.detail! };
}

const named = (...names: string[]): ContainerView[] => names.map((name) => ({ name }));
/** A container that passes every restricted check. */
const good = (name: string): ContainerView => ({
  name, image: 'busybox',
  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
});

test('privileged: containers setting privileged=true, in visiting order', () => {
  assert.deepEqual(run('privileged', { containers: [{ name: 'a' }, { name: 'b', securityContext: { privileged: false } }, { name: 'd', securityContext: { privileged: true } }], initContainers: [{ name: 'e', securityContext: { privileged: true } }] }),
    { reason: 'privileged', detail: 'containers "e", "d" must not set securityContext.privileged=true' });
  assert.deepEqual(run('privileged', { containers: named('a') }), {});
});

test('hostNamespaces', () => {
  assert.deepEqual(run('hostNamespaces', { hostNetwork: true, hostPID: true, hostIPC: true, containers: [] }), { reason: 'host namespaces', detail: 'hostNetwork=true, hostPID=true, hostIPC=true' });
  assert.deepEqual(run('hostNamespaces', { hostPID: true }), { reason: 'host namespaces', detail: 'hostPID=true' });
  assert.deepEqual(run('hostNamespaces', { hostNetwork: false }), {});
});

test('hostPathVolumes', () => {
  const spec: PodSpecView = { volumes: [{ name: 'a', hostPath: { path: '/' } }, { name: 'x', emptyDir: {} }, { name: 'b', hostPath: { path: '/b' } }] };
  assert.deepEqual(run('hostPathVolumes', spec), { reason: 'hostPath volumes', detail: 'volumes "a", "b"' });
  assert.deepEqual(run('hostPathVolumes', { volumes: [{ name: 'a', hostPath: { path: '/' } }] }), { reason: 'hostPath volumes', detail: 'volume "a"' });
});

test('hostPorts: ports sorted as strings, singular and plural verbs', () => {
  assert.deepEqual(run('hostPorts', { containers: [{ name: 'a', ports: [{ hostPort: 0 }] }, { name: 'b', ports: [{ hostPort: 20 }] }] }), { reason: 'hostPort', detail: 'container "b" uses hostPort 20' });
  assert.deepEqual(run('hostPorts', { containers: [{ name: 'b', ports: [{ hostPort: 20 }, { hostPort: 10 }] }, { name: 'c', ports: [{ hostPort: 30 }, { hostPort: 10 }] }] }),
    { reason: 'hostPort', detail: 'containers "b", "c" use hostPorts 10, 20, 30' });
});

test('hostProbesAndHostLifecycle: containers and hosts sorted and deduplicated', () => {
  const c: ContainerView = {
    name: 'a', livenessProbe: { httpGet: { host: 'localhost' } }, readinessProbe: { tcpSocket: { host: '127.0.0.1' } },
    lifecycle: { preStop: { httpGet: { host: '::1' } }, postStart: { httpGet: { host: '' } } },
  };
  assert.deepEqual(run('hostProbesAndHostLifecycle', { containers: [c] }), { reason: 'probe or lifecycle host', detail: 'container "a" uses probe or lifecycle hosts "127.0.0.1", "::1", "localhost"' });
  assert.deepEqual(run('hostProbesAndHostLifecycle', { containers: [{ name: 'invalid2', startupProbe: { httpGet: { host: 'b.com' } } }, { name: 'invalid1', livenessProbe: { tcpSocket: { host: 'a.com' } } }] }),
    { reason: 'probe or lifecycle host', detail: 'containers "invalid1", "invalid2" use probe or lifecycle hosts "a.com", "b.com"' });
  assert.deepEqual(run('hostProbesAndHostLifecycle', { containers: [{ name: 'ok', livenessProbe: { httpGet: {} } }] }), {});
});

test('capabilities_baseline: only the default set may be added', () => {
  const spec: PodSpecView = { containers: [
    { name: 'a', securityContext: { capabilities: { add: ['FOO', 'CHOWN', 'BAR'] } } },
    { name: 'b', securityContext: { capabilities: { add: ['BAZ', 'FOO'] } } },
    { name: 'c', securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'KILL'] } } },
  ] };
  assert.deepEqual(run('capabilities_baseline', spec), { reason: 'non-default capabilities', detail: 'containers "a", "b" must not include "BAR", "BAZ", "FOO" in securityContext.capabilities.add' });
});

test('capabilities_restricted: drop ALL, add only NET_BIND_SERVICE; Windows pods exempt', () => {
  const spec: PodSpecView = { containers: [
    { name: 'a', securityContext: { capabilities: { add: ['FOO', 'BAR'] } } },
    { name: 'b', securityContext: { capabilities: { add: ['BAZ'], drop: ['NET_RAW'] } } },
    { name: 'c', securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN'], drop: ['ALL', 'FOO'] } } },
    { name: 'd', securityContext: { capabilities: { drop: ['ALL'] } } },
  ] };
  assert.deepEqual(run('capabilities_restricted', spec), {
    reason: 'unrestricted capabilities',
    detail: 'containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add',
  });
  assert.deepEqual(run('capabilities_restricted', { containers: named('a') }), { reason: 'unrestricted capabilities', detail: 'container "a" must set securityContext.capabilities.drop=["ALL"]' });
  assert.deepEqual(run('capabilities_restricted', { os: { name: 'windows' }, containers: named('a') }), {});
});

test('appArmorProfile: fields and the deprecated annotations', () => {
  assert.deepEqual(run('appArmorProfile', { securityContext: { appArmorProfile: { type: 'Unconfined' } } }), { reason: 'forbidden AppArmor profile', detail: 'pod must not set AppArmor profile type to "Unconfined"' });
  assert.deepEqual(run('appArmorProfile', { containers: [{ name: 'foo', securityContext: { appArmorProfile: { type: 'Unconfined' } } }, { name: 'ok', securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'x' } } }] }),
    { reason: 'forbidden AppArmor profile', detail: 'container "foo" must not set AppArmor profile type to "Unconfined"' });
  const meta = { annotations: {
    'container.apparmor.security.beta.kubernetes.io/b': 'unconfined',
    'container.apparmor.security.beta.kubernetes.io/a': 'bogus',
    'container.apparmor.security.beta.kubernetes.io/c': 'runtime/default',
    'container.apparmor.security.beta.kubernetes.io/d': 'localhost/foo',
  } };
  assert.deepEqual(run('appArmorProfile', {}, meta), {
    reason: 'forbidden AppArmor profiles',
    detail: 'annotations must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/a="bogus"", "container.apparmor.security.beta.kubernetes.io/b="unconfined""',
  });
});

test('seLinuxOptions: types, user and role', () => {
  const bad = { type: 'bar', user: 'u', role: 'r' };
  assert.deepEqual(run('seLinuxOptions', {
    securityContext: { seLinuxOptions: { type: 'foo', user: 'u' } },
    containers: [{ name: 'e', securityContext: { seLinuxOptions: bad } }, { name: 'ok', securityContext: { seLinuxOptions: { type: 'container_engine_t', level: 's0' } } }, { name: 'f', securityContext: { seLinuxOptions: { role: 'r' } } }],
  }), { reason: 'seLinuxOptions', detail: 'pod and containers "e", "f" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set' });
  assert.deepEqual(run('seLinuxOptions', { securityContext: { seLinuxOptions: { type: 'bad' } } }), { reason: 'seLinuxOptions', detail: 'pod set forbidden securityContext.seLinuxOptions: type "bad"' });
});

test('procMount: baseline lets user-namespaced pods through, restricted does not', () => {
  const spec: PodSpecView = { containers: [{ name: 'a', securityContext: { procMount: 'Default' } }, { name: 'd', securityContext: { procMount: 'Unmasked' } }, { name: 'e', securityContext: { procMount: 'other' } }] };
  const want = { reason: 'procMount', detail: 'containers "d", "e" must not set securityContext.procMount to "Unmasked", "other"' };
  assert.deepEqual(run('procMount', spec), want);
  assert.deepEqual(run('procMount', { ...spec, hostUsers: false }), {});
  assert.deepEqual(run('procMount_restricted', { ...spec, hostUsers: false }), want);
});

test('seccompProfile_baseline: Unconfined is refused, unset is fine', () => {
  assert.deepEqual(run('seccompProfile_baseline', { containers: named('a') }), {});
  assert.deepEqual(run('seccompProfile_baseline', { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'a', securityContext: { seccompProfile: { type: 'Unconfined' } } }] }),
    { reason: 'seccompProfile', detail: 'pod and container "a" must not set securityContext.seccompProfile.type to "Unconfined"' });
});

test('seccompProfile_restricted: must be set on the pod or every container', () => {
  assert.deepEqual(run('seccompProfile_restricted', { containers: named('a', 'b') }),
    { reason: 'seccompProfile', detail: 'pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"' });
  assert.deepEqual(run('seccompProfile_restricted', { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: named('a') }), {});
  assert.deepEqual(run('seccompProfile_restricted', { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'a', securityContext: { seccompProfile: { type: 'Unconfined' } } }] }),
    { reason: 'seccompProfile', detail: 'container "a" must not set securityContext.seccompProfile.type to "Unconfined"' });
  assert.deepEqual(run('seccompProfile_restricted', { os: { name: 'windows' }, containers: named('a') }), {});
});

test('sysctls: only the safe set', () => {
  assert.deepEqual(run('sysctls', { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies' }, { name: 'kernel.msgmax' }, { name: 'net.ipv4.tcp_notsent_lowat' }, { name: 'a.b' }] } }),
    { reason: 'forbidden sysctls', detail: 'kernel.msgmax, a.b' });
});

test('windowsHostProcess', () => {
  assert.deepEqual(run('windowsHostProcess', { securityContext: { windowsOptions: { hostProcess: true } }, containers: [{ name: 'a', securityContext: { windowsOptions: { hostProcess: true } } }, { name: 'b', securityContext: { windowsOptions: { hostProcess: false } } }] }),
    { reason: 'hostProcess', detail: 'pod and container "a" must not set securityContext.windowsOptions.hostProcess=true' });
});

test('allowPrivilegeEscalation: must be explicitly false', () => {
  assert.deepEqual(run('allowPrivilegeEscalation', { containers: [{ name: 'a' }, { name: 'b', securityContext: { allowPrivilegeEscalation: true } }, { name: 'c', securityContext: {} }, { name: 'd', securityContext: { allowPrivilegeEscalation: false } }] }),
    { reason: 'allowPrivilegeEscalation != false', detail: 'containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false' });
});

test('restrictedVolumes: the first restricted source names a volume\'s type', () => {
  const spec: PodSpecView = { volumes: [
    { name: 'ok1', configMap: {} }, { name: 'ok2', projected: {} }, { name: 'ok3', csi: {} }, { name: 'ok4', ephemeral: {} }, { name: 'ok5', image: {} },
    { name: 'b1', hostPath: { path: '/' } }, { name: 'b2', nfs: {} }, { name: 'b3', gitRepo: {} }, { name: 'b4' },
  ] };
  assert.deepEqual(run('restrictedVolumes', spec), {
    reason: 'restricted volume types',
    detail: 'volumes "b1", "b2", "b3", "b4" use restricted volume types "gitRepo", "hostPath", "nfs", "unknown"',
  });
  assert.deepEqual(run('restrictedVolumes', { volumes: [{ name: 'h', hostPath: { path: '/' } }] }), { reason: 'restricted volume types', detail: 'volume "h" uses restricted volume type "hostPath"' });
});

test('runAsNonRoot: pod-level true covers unset containers; user namespaces exempt', () => {
  assert.deepEqual(run('runAsNonRoot', { containers: named('a') }), { reason: 'runAsNonRoot != true', detail: 'pod or container "a" must set securityContext.runAsNonRoot=true' });
  assert.deepEqual(run('runAsNonRoot', { securityContext: { runAsNonRoot: false }, containers: [{ name: 'a', securityContext: { runAsNonRoot: true } }] }), { reason: 'runAsNonRoot != true', detail: 'pod must not set securityContext.runAsNonRoot=false' });
  assert.deepEqual(run('runAsNonRoot', { securityContext: { runAsNonRoot: true }, containers: [{ name: 'a' }, { name: 'c', securityContext: { runAsNonRoot: false } }, { name: 'd', securityContext: { runAsNonRoot: false } }] }),
    { reason: 'runAsNonRoot != true', detail: 'containers "c", "d" must not set securityContext.runAsNonRoot=false' });
  assert.deepEqual(run('runAsNonRoot', { hostUsers: false, containers: named('a') }), {});
});

test('runAsUser: 0 is refused, other values and unset are fine', () => {
  assert.deepEqual(run('runAsUser', { securityContext: { runAsUser: 0 }, containers: named('a') }), { reason: 'runAsUser=0', detail: 'pod must not set runAsUser=0' });
  assert.deepEqual(run('runAsUser', { containers: [{ name: 'b', securityContext: { runAsUser: 1000 } }, { name: 'c', securityContext: { runAsUser: 0 } }, { name: 'd', securityContext: { runAsUser: 0 } }] }),
    { reason: 'runAsUser=0', detail: 'containers "c", "d" must not set runAsUser=0' });
  assert.deepEqual(run('runAsUser', { hostUsers: false, securityContext: { runAsUser: 0 } }), {});
});

test('ephemeral containers are checked like the others', () => {
  assert.deepEqual(run('privileged', { containers: named('a'), ephemeralContainers: [{ name: 'debug', securityContext: { privileged: true } }] }),
    { reason: 'privileged', detail: 'container "debug" must not set securityContext.privileged=true' });
});

test('a privileged pod at restricted: baseline checks first, then restricted ones, overridden baseline checks left out', () => {
  const spec: PodSpecView = { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }], volumes: [{ name: 'h', hostPath: { path: '/' } }] };
  const r = evaluatePod('restricted', {}, spec);
  assert.equal(forbiddenReason(r), 'privileged, allowPrivilegeEscalation != false, unrestricted capabilities, restricted volume types, runAsNonRoot != true, seccompProfile');
  assert.equal(forbiddenDetail(r),
    'privileged (container "c" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), '
    + 'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), restricted volume types (volume "h" uses restricted volume type "hostPath"), '
    + 'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
  const b = evaluatePod('baseline', {}, spec);
  assert.equal(forbiddenDetail(b), 'hostPath volumes (volume "h"), privileged (container "c" must not set securityContext.privileged=true)');
  assert.equal(evaluatePod('privileged', {}, spec).allowed, true);
});

test('a compliant pod passes restricted', () => {
  const r = evaluatePod('restricted', {}, { containers: [good('a')], initContainers: [good('i')], volumes: [{ name: 'cm', configMap: { name: 'x' } }] });
  assert.deepEqual(r, { allowed: true, reasons: [], details: [] });
});

test('policy versions: each check as of the version the namespace names', () => {
  const reasons = (level: 'baseline' | 'restricted', spec: PodSpecView, minor?: number, meta: PodMetaView = {}): string => forbiddenReason(evaluatePod(level, meta, spec, minor));
  const plain: PodSpecView = { containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { add: ['SYS_ADMIN'] } } }] };
  // Before v1.22 restricted did not require dropping ALL: the baseline capabilities check applied.
  assert.equal(reasons('restricted', plain, 21), 'non-default capabilities, seccompProfile');
  assert.equal(reasons('restricted', plain, 22), 'unrestricted capabilities, seccompProfile');
  // Before v1.19 seccomp was the alpha annotations, checked at baseline (and so at restricted).
  const annotated = { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined', 'container.seccomp.security.alpha.kubernetes.io/c': 'runtime/default' } };
  assert.deepEqual(evaluatePod('baseline', annotated, { containers: named('c') }, 18).details, ['forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined"']);
  assert.equal(evaluatePod('baseline', annotated, { containers: named('c') }, 19).allowed, true);
  // Sysctls and SELinux types allowed grow with the version.
  const tcp: PodSpecView = { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_rmem' }] } };
  assert.equal(reasons('baseline', tcp, 31), 'forbidden sysctls');
  assert.equal(reasons('baseline', tcp, 32), '');
  const engine: PodSpecView = { securityContext: { seLinuxOptions: { type: 'container_engine_t' } } };
  assert.equal(reasons('baseline', engine, 30), 'seLinuxOptions');
  assert.equal(reasons('baseline', engine), '');
  // Probe hosts from v1.34; runAsUser from v1.23.
  const probe: PodSpecView = { containers: [{ name: 'c', livenessProbe: { httpGet: { host: 'example.com' } } }] };
  assert.equal(reasons('baseline', probe, 33), '');
  assert.equal(reasons('baseline', probe, 34), 'probe or lifecycle host');
  const root: PodSpecView = { securityContext: { runAsUser: 0, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [good('c')] };
  assert.equal(reasons('restricted', root, 22), '');
  assert.equal(reasons('restricted', root, 23), 'runAsUser=0');
  // User namespaces relax the root checks from v1.35; Windows pods skip Linux-only fields from v1.25.
  assert.equal(reasons('restricted', { ...root, hostUsers: false }, 34), 'runAsUser=0');
  assert.equal(reasons('restricted', { ...root, hostUsers: false }, 35), '');
  const windows: PodSpecView = { os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: named('c') };
  assert.equal(reasons('restricted', windows, 24), 'allowPrivilegeEscalation != false, unrestricted capabilities, seccompProfile');
  assert.equal(reasons('restricted', windows, 25), '');
  // Versions past the newest check, and latest, evaluate as the newest.
  assert.deepEqual(evaluatePod('restricted', {}, root, 99), evaluatePod('restricted', {}, root));
});
