// Container probes for the node agent (pkg/kubelet/prober, pkg/probe/{exec,http,tcp,grpc}):
//
//   const probes = new ProbeManager({ onChange, onEvent });
//   probes.addPod(pod, { podIP, exec: (name, argv, timeoutMs) => engineExec(…) });
//   probes.updateContainer(pod.metadata.uid, name, { containerId, state: 'running', startedAt });
//   probes.isReady(uid, name) / probes.isStarted(uid, name)   → containerStatuses[].ready / started
//   onChange(uid, name, 'liveness' | 'startup', 'failure', …)  → kill and restart the container
//   await probes.removePod(uid);                                → when the pod is gone
//
// runProbe(probe, ctx) runs a single probe (also usable for lifecycle httpGet/exec checks).
//
// PodProbes implements the pod workers' PodProbePlugin (src/kubelet/pods/plugins.ts) over a
// ProbeManager: new PodProbes({ exec: execWithTimeout(engine.containers), onResult: uid => resync,
// record: (pod, reason, msg, fieldPath) => recorder.pod(pod, 'Warning', reason, msg, fieldPath) }).
export { PodProbes } from './pod-probes.ts';
export type { PodProbesOptions } from './pod-probes.ts';
export { execWithTimeout } from './engine-exec.ts';
export type { ContainerExecutor } from './engine-exec.ts';
export { ProbeManager } from './probe-manager.ts';
export type { PodProbeTarget, ProbeEvent, ProbeManagerOptions } from './probe-manager.ts';
export { runProbe } from './run-probe.ts';
export { ProbeWorker } from './worker.ts';
export type { ContainerProbeState, ProbeResult } from './worker.ts';
export { ManualClock, realClock } from './clock.ts';
export type { Clock } from './clock.ts';
export type { ExecFn, ExecOutcome, ProbeContext, ProbeKind, ProbeOutcome } from './types.ts';
export { PROBE_USER_AGENT } from './http-probe.ts';
