// The controller manager: every controller, each with its own identity over one set of shared
// informers, run until the signal aborts.
import type { Logger } from 'pino';
import { controllerUser } from '../api/rbac/controller-accounts.ts';
import type { Clientset } from '../client/clientset.ts';
import type { ClientConfig } from '../client/kubeconfig.ts';
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

/**
 * Every controller. `clientFor(name)` is the clientset controller `name` writes with (its own
 * identity, see runControllers); by default all share `cs`.
 */
export function builtinControllers(cs: Clientset, log: Logger, options: ControllerManagerOptions = {}, clientFor: (controller: string) => Clientset = () => cs): Controller[] {
  const c = clientFor;
  return [
    new NamespaceController(c('namespace'), log), new GarbageCollector(c('garbage-collector'), log), new NodeIpamController(c('node-ipam'), log, options.nodeIpam),
    new PersistentVolumeController(c('persistentvolume-binder'), log), new ServiceAccountsController(c('serviceaccount'), log),
    new ReplicaSetController(c('replicaset'), log), new ReplicaSetController(c('replicationcontroller'), log, { kind: REPLICATION_CONTROLLER_KIND }),
    new DeploymentController(c('deployment'), log), new StatefulSetController(c('statefulset'), log), new DaemonSetController(c('daemonset'), log),
    new EndpointSliceController(c('endpointslice'), log), new EndpointsController(c('endpoint'), log),
    new PodGCController(c('podgc'), log, options.podGC), new DisruptionController(c('disruption'), log),
    new NodeLifecycleController(c('node-lifecycle'), log, options.nodeLifecycle), new TaintEvictionController(c('taint-eviction'), log),
    new HorizontalPodAutoscalerController(c('horizontal-pod-autoscaler'), log, options.hpa),
    new ServiceLBController(c('service-lb'), log),
    new BootstrapSignerController(c('bootstrap-signer'), log), new TokenCleanerController(c('token-cleaner'), log),
    new JobController(c('job'), log), new TTLAfterFinishedController(c('ttl-after-finished'), log), new CronJobController(c('cronjob'), log),
    new LocalPathProvisioner(c('local-path-provisioner'), log, options.localPath),
    new ResourceQuotaController(c('resourcequota'), log),
    new CsrSigningController(c('certificatesigningrequest-signing'), log, options.csrSigning), new CsrApprovingController(c('certificatesigningrequest-approving'), log), new CsrCleanerController(c('certificatesigningrequest-cleaner'), log),
    new ClusterRoleAggregationController(c('clusterrole-aggregation'), log),
  ];
}

/** Credentials for a user (a client certificate the control plane issues), for per-controller clients. */
export type CredentialsFor = (user: { name: string; groups: string[] }) => Promise<ClientConfig>;

/**
 * Runs the selected controllers until the signal aborts. `cs` holds the shared informers (the
 * manager's own identity, system:kube-controller-manager). With `credentials`, each selected
 * controller writes through its own client as `system:serviceaccount:kube-system:<account>`
 * (CONTROLLER_ACCOUNTS; kube-controller-manager --use-service-account-credentials), sharing
 * `cs`'s informers; without, every controller uses `cs`.
 */
export async function runControllers(cs: Clientset, log: Logger, signal: AbortSignal, selection = '*', options: ControllerManagerOptions = {}, credentials?: CredentialsFor): Promise<void> {
  const selected = controllerSelection(selection);
  const clients = new Map<string, Clientset>();
  if (credentials) {
    await Promise.all(CONTROLLER_NAMES.filter((n) => selected.enabled(n)).map(async (n) => {
      const user = controllerUser(n);
      if (user) clients.set(n, cs.withCredentials(await credentials(user)));
    }));
  }
  // Issuing the controllers' credentials takes a moment: a stop asked meanwhile ends here (a
  // controller started on an aborted signal would wait for an abort event that never comes).
  if (signal.aborted) return;
  const controllers = builtinControllers(cs, log, options, (n) => clients.get(n) ?? cs).filter((c) => selected.enabled(c.name));
  cs.start(signal);
  for (const client of clients.values()) client.start(signal);
  await Promise.all(controllers.map(async (c) => {
    try {
      await c.run(signal);
    } catch (err) {
      if (!signal.aborted) log.error({ err, controller: c.name }, 'controller stopped');
    }
  }));
}
