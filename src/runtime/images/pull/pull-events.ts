// What pullImage reports as it goes, for progress bars and logs.

export interface PullBlob {
  digest: string;
  role: 'config' | 'layer';
  /** 1-based layer number; 0 for the config. */
  index: number;
  size: number;
}

export type PullEvent =
  /** Talking to the registry; `plainHttp` says the registry is a loopback one reached without TLS. */
  | { type: 'resolving'; ref: string; registry: string; plainHttp: boolean }
  | { type: 'resolved'; ref: string; manifestDigest: string; indexDigest?: string; blobs: PullBlob[] }
  /** `exists`: already in the store, not fetched. `completed` counts a resumed prefix too. */
  | { type: 'blob'; blob: PullBlob; state: 'exists' | 'downloading' | 'downloaded'; completed: number; resumedFrom: number }
  /** Copying the blobs into the store and unpacking the layers. */
  | { type: 'storing'; ref: string }
  | { type: 'done'; ref: string; manifestDigest: string };
