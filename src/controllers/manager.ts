// The controller manager: every controller on one shared clientset, run until the signal aborts.
import type { Logger } from 'pino';
import type { Clientset } from '../client/clientset.ts';
import type { Controller } from './controller.ts';
import { GarbageCollector } from './garbage-collector/garbage-collector.ts';
import { NamespaceController } from './namespace/namespace-controller.ts';
import { NodeIpamController } from './node-ipam/node-ipam-controller.ts';
import type { NodeIpamOptions } from './node-ipam/node-ipam-controller.ts';
import { PersistentVolumeController } from './persistentvolume/pv-controller.ts';
import { LocalPathProvisioner, type LocalPathOptions } from './local-path/local-path-controller.ts';
import { ServiceAccountsController } from './serviceaccount/serviceaccounts-controller.ts';
import { EndpointSliceController } from './endpointslice/endpointslice-controller.ts';
import { EndpointsController } from './endpoints/endpoints-controller.ts';
import { ReplicaSetController } from './replicaset/replica-set-controller.ts';
import { DeploymentController } from './deployment/deployment-controller.ts';
import { PodGCController, type PodGCOptions } from './podgc/podgc-controller.ts';
import { DisruptionController } from './disruption/disruption-controller.ts';
import { NodeLifecycleController, type NodeLifecycleOptions } from './node-lifecycle/node-lifecycle-controller.ts';
import { TaintEvictionController } from './node-lifecycle/taint-eviction-controller.ts';
import { HorizontalPodAutoscalerController, type HPAControllerOptions } from './podautoscaler/hpa-controller.ts';
import { ServiceLBController } from './service-lb/service-lb-controller.ts';
import { BootstrapSignerController } from './bootstrap/bootstrap-signer.ts';
import { TokenCleanerController } from './bootstrap/token-cleaner.ts';
import { JobController } from './job/job-controller.ts';
import { TTLAfterFinishedController } from './ttl-after-finished/ttl-after-finished-controller.ts';
import { CronJobController } from './cronjob/cronjob-controller.ts';
import { StatefulSetController } from './statefulset/statefulset-controller.ts';
import { DaemonSetController } from './daemonset/daemonset-controller.ts';
import { ResourceQuotaController } from './resourcequota/resource-quota-controller.ts';
import { CsrApprovingController } from './certificates/approving-controller.ts';
import { CsrCleanerController } from './certificates/cleaner-controller.ts';
import { CsrSigningController, type CsrSigningOptions } from './certificates/signing-controller.ts';
import { ClusterRoleAggregationController } from './clusterrole-aggregation/clusterrole-aggregation-controller.ts';
import { REPLICATION_CONTROLLER_KIND } from './replicaset/replica-kind.ts';
import { parseControllersFlag, type ControllerSelection } from './util/controllers-flag.ts';

/**
 * Every controller's name, for `--controllers` (checked before anything starts; manager.test.ts
 * keeps it equal to the names of builtinControllers). Upstream's `NAME-controller` spellings work too.
 */
export const CONTROLLER_NAMES: readonly string[] = [
  'namespace', 'garbage-collector', 'node-ipam', 'persistentvolume-binder', 'serviceaccount',
  'replicaset', 'replicationcontroller',
  'deployment', 'statefulset', 'daemonset',
  'endpointslice', 'endpoint',
  'podgc', 'disruption',
  'node-lifecycle', 'taint-eviction',
  'horizontal-pod-autoscaler',
  'service-lb',
  'bootstrap-signer', 'token-cleaner',
  'job', 'ttl-after-finished', 'cronjob',
  'local-path-provisioner',
  'resourcequota',
  'certificatesigningrequest-signing', 'certificatesigningrequest-approving', 'certificatesigningrequest-cleaner',
  'clusterrole-aggregation',
];

/** Upstream's other spellings (the `-controller` suffix is understood without being listed). */
const CONTROLLER_ALIASES: Readonly<Record<string, string>> = {
  'pod-garbage-collector': 'podgc',
  horizontalpodautoscaling: 'horizontal-pod-autoscaler',
  bootstrapsigner: 'bootstrap-signer',
  tokencleaner: 'token-cleaner',
  csrsigning: 'certificatesigningrequest-signing',
  csrapproving: 'certificatesigningrequest-approving',
  csrcleaner: 'certificatesigningrequest-cleaner',
};

/** Settings of individual controllers (each from a flag of `skiff server` and `skiff up`). */
export interface ControllerManagerOptions {
  /** --terminated-pod-gc-threshold and the pod GC's quarantine of missing nodes. */
  podGC?: PodGCOptions;
  /** --node-monitor-grace-period, --node-startup-grace-period. */
  nodeLifecycle?: NodeLifecycleOptions;
  /** --horizontal-pod-autoscaler-sync-period, --horizontal-pod-autoscaler-downscale-stabilization. */
  hpa?: HPAControllerOptions;
  /** --cluster-cidr: the range node pod CIDRs are cut from. */
  nodeIpam?: NodeIpamOptions;
  /** The built-in local-path provisioner: where volumes live on the nodes. */
  localPath?: LocalPathOptions;
  /** The cluster CA the CSR signer signs with (--cluster-signing-cert-file/--cluster-signing-key-file). */
  csrSigning?: CsrSigningOptions;
}

/** Parses --controllers (`*`, `NAME`, `-NAME`); throws ControllersFlagError on an unknown name. */
export function controllerSelection(flag: string): ControllerSelection {
  return parseControllersFlag(flag, { names: CONTROLLER_NAMES, aliases: CONTROLLER_ALIASES });
}

export function builtinControllers(cs: Clientset, log: Logger, options: ControllerManagerOptions = {}): Controller[] {
  return [
    new NamespaceController(cs, log), new GarbageCollector(cs, log), new NodeIpamController(cs, log, options.nodeIpam),
    new PersistentVolumeController(cs, log), new ServiceAccountsController(cs, log),
    new ReplicaSetController(cs, log), new ReplicaSetController(cs, log, { kind: REPLICATION_CONTROLLER_KIND }),
    new DeploymentController(cs, log), new StatefulSetController(cs, log), new DaemonSetController(cs, log),
    new EndpointSliceController(cs, log), new EndpointsController(cs, log),
    new PodGCController(cs, log, options.podGC), new DisruptionController(cs, log),
    new NodeLifecycleController(cs, log, options.nodeLifecycle), new TaintEvictionController(cs, log),
    new HorizontalPodAutoscalerController(cs, log, options.hpa),
    new ServiceLBController(cs, log),
    new BootstrapSignerController(cs, log), new TokenCleanerController(cs, log),
    new JobController(cs, log), new TTLAfterFinishedController(cs, log), new CronJobController(cs, log),
    new LocalPathProvisioner(cs, log, options.localPath),
    new ResourceQuotaController(cs, log),
    new CsrSigningController(cs, log, options.csrSigning), new CsrApprovingController(cs, log), new CsrCleanerController(cs, log),
    new ClusterRoleAggregationController(cs, log),
  ];
}

export async function runControllers(cs: Clientset, log: Logger, signal: AbortSignal, selection = '*', options: ControllerManagerOptions = {}): Promise<void> {
  const selected = controllerSelection(selection);
  const controllers = builtinControllers(cs, log, options).filter((c) => selected.enabled(c.name));
  cs.start(signal);
  await Promise.all(controllers.map(async (c) => {
    try {
      await c.run(signal);
    } catch (err) {
      if (!signal.aborted) log.error({ err, controller: c.name }, 'controller stopped');
    }
  }));
}
