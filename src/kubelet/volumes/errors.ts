// Errors of the volume manager. Messages follow kubelet's volume plugins (pkg/volume/configmap,
// secret, projected, hostpath, util/atomic_writer.go) and its operation generator
// (pkg/volume/util/operationexecutor: `MountVolume.SetUp failed for volume "x" : <cause>`), which
// is what a FailedMount event says.

/** One volume's set-up step failed; `message` is the cause as the upstream plugin words it. */
export class VolumeError extends Error {
  readonly code: string = 'VOLUME';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VolumeError';
  }
}

/** A referenced object is missing: `configmap "x" not found`, `secret "x" not found`. */
export class VolumeSourceNotFound extends VolumeError {
  override readonly code = 'VOLUME_SOURCE_NOT_FOUND';
  constructor(kind: 'configmap' | 'secret' | 'persistentvolumeclaim' | 'persistentvolume', name: string, options?: ErrorOptions) {
    super(`${kind} "${name}" not found`, options);
    this.name = 'VolumeSourceNotFound';
  }
}

/** The error of one named volume, worded as the FailedMount event. */
export class MountVolumeError extends Error {
  readonly code = 'MOUNT_VOLUME_FAILED';
  readonly volumeName: string;
  constructor(volumeName: string, cause: unknown) {
    super(`MountVolume.SetUp failed for volume "${volumeName}" : ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MountVolumeError';
    this.volumeName = volumeName;
  }
}

/** setUp failed for one or more volumes; each failure is a FailedMount event. */
export class VolumeSetUpFailed extends Error {
  readonly code = 'VOLUME_SETUP_FAILED';
  readonly failures: MountVolumeError[];
  constructor(failures: MountVolumeError[]) {
    super(failures.map((f) => f.message).join('; '));
    this.name = 'VolumeSetUpFailed';
    this.failures = failures;
  }
}

/** A container's volumeMount cannot be prepared (subPath problems, unknown volume). */
export class ContainerMountError extends Error {
  readonly code = 'CONTAINER_MOUNT';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ContainerMountError';
  }
}

export const isVolumeSetUpFailed = (err: unknown): err is VolumeSetUpFailed => err instanceof VolumeSetUpFailed;
export const isContainerMountError = (err: unknown): err is ContainerMountError => err instanceof ContainerMountError;
