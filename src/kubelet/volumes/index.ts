// Pod volumes for the node agent (pkg/kubelet/volumemanager + pkg/volume plugins):
//
//   const volumes = new VolumeManager({ podsDir: join(dataDir, 'pods'), sources });
//   const paths = await volumes.setUp(pod, nodeFacts);             // before the sandbox's containers
//   const mounts = await volumes.containerMounts(pod, container, paths, resolvedEnv.env);
//   engine.createContainer({ …, mounts });
//   const errs = await volumes.refresh(pod);                        // periodically (pod resync)
//   await volumes.tearDown(pod.metadata.uid);                       // after the last container is gone
//
// setUp throws VolumeSetUpFailed: emit one FailedMount Warning per `failures[i].message`
// (`MountVolume.SetUp failed for volume "cfg" : configmap "x" not found`) and retry later.
// containerMounts throws ContainerMountError (subPath problems) → CreateContainerConfigError.
//
// PodVolumes implements the pod workers' PodVolumePlugin (src/kubelet/pods/plugins.ts) over a
// VolumeManager; run(signal) re-syncs configMap/secret/downwardAPI/projected volumes every
// resyncMs (10 s) so running containers see updates without a restart.
export { PodVolumes } from './pod-volumes.ts';
export type { PodVolumesOptions } from './pod-volumes.ts';
export { VolumeManager } from './volume-manager.ts';
export type { VolumeManagerOptions } from './volume-manager.ts';
export type { ServiceAccountToken, VolumeInfo, VolumeSources } from './types.ts';
export {
  ContainerMountError,
  MountVolumeError,
  VolumeError,
  VolumeSetUpFailed,
  VolumeSourceNotFound,
  isContainerMountError,
  isVolumeSetUpFailed,
} from './errors.ts';
export { writeAtomically } from './atomic-writer.ts';
export type { FileProjection, Payload } from './atomic-writer.ts';
