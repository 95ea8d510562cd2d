// What the volume manager reads from the cluster, and what it hands back to the pod workers.
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/types/core-v1.ts';
import type { ObjectSources } from '../env/index.ts';

export interface ServiceAccountToken {
  token: string;
  /** RFC 3339; when absent the token is treated as valid for the requested expirationSeconds. */
  expirationTimestamp?: string;
}

export interface VolumeSources extends ObjectSources {
  getPersistentVolumeClaim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  getPersistentVolume(name: string): Promise<PersistentVolume | undefined>;
  /**
   * POST serviceaccounts/<sa>/token (TokenRequest) bound to the pod. Optional so that a source
   * without it (tests, an API server without a signing key) fails a serviceAccountToken projection
   * with a FailedMount error (never a made-up token).
   */
  requestServiceAccountToken?(
    namespace: string,
    serviceAccountName: string,
    audience: string | undefined,
    expirationSeconds: number,
    boundPod: { name: string; uid: string },
  ): Promise<ServiceAccountToken>;
}

/** A volume ready on the host: the directory or file a container mount binds. */
export interface VolumeInfo {
  hostPath: string;
  /** configMap, secret, downwardAPI and projected volumes are always read-only (upstream's mustMountRO). */
  readOnly: boolean;
}
