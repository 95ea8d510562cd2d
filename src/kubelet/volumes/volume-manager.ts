// The node agent's volume manager: prepares each volume of a pod on the host before its containers
// start, keeps configMap/secret/downwardAPI/projected contents in sync, and removes everything when
// the pod is gone. Mirrors the plugins under pkg/volume (emptydir, hostpath, configmap, secret,
// downwardapi, projected, local) and the directory layout of pkg/kubelet/kubelet_getters.go:
// <podsDir>/<uid>/volumes/kubernetes.io~<plugin>/<name>. The plugins that manage ownership
// (all but hostPath) give their files to the pod's fsGroup (ownership.ts).
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, Pod, Volume } from '../../api/types/core-v1.ts';
import { parseQuantity } from '../../api/validation/quantity.ts';
import type { VolumeMount } from '../../runtime/oci-spec.ts';
import type { NodeFacts } from '../env/index.ts';
import { writeAtomically } from './atomic-writer.ts';
import type { Payload } from './atomic-writer.ts';
import { ContainerMountError, MountVolumeError, VolumeError, VolumeSetUpFailed, VolumeSourceNotFound } from './errors.ts';
import { checkHostPathType } from './host-path.ts';
import { configMapPayload, DEFAULT_MODE, downwardApiPayload, secretPayload } from './payload.ts';
import { projectedPayload } from './projected.ts';
import { setVolumeOwnership } from './ownership.ts';
import { claimPath } from './pvc.ts';
import { expandSubPathExpr, prepareSubPath } from './subpath.ts';
import { mountTmpfs, unmountAllUnder } from './tmpfs.ts';
import { TokenCache } from './token-cache.ts';
import type { VolumeInfo, VolumeSources } from './types.ts';

export interface VolumeManagerOptions {
  /** Root of the per-pod directories: volumes live in <podsDir>/<uid>/volumes. */
  podsDir: string;
  sources: VolumeSources;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Clock for token refresh (tests). */
  now?: () => number;
}

interface PodVolumes {
  pod: Pod;
  node: NodeFacts;
  volumes: Map<string, VolumeInfo>;
}

const PROJECTING = ['configMap', 'secret', 'downwardAPI', 'projected'] as const;

function pluginDir(v: Volume): string | undefined {
  if (v.emptyDir) return 'kubernetes.io~empty-dir';
  if (v.configMap) return 'kubernetes.io~configmap';
  if (v.secret) return 'kubernetes.io~secret';
  if (v.downwardAPI) return 'kubernetes.io~downward-api';
  if (v.projected) return 'kubernetes.io~projected';
  return undefined;
}

const isProjecting = (v: Volume): boolean => PROJECTING.some((k) => v[k] !== undefined);

const PROPAGATION: Record<string, VolumeMount['propagation']> = { HostToContainer: 'rslave', Bidirectional: 'rshared' };

export class VolumeManager {
  readonly #podsDir: string;
  readonly #sources: VolumeSources;
  readonly #log: (message: string, fields?: Record<string, unknown>) => void;
  readonly #tokens: TokenCache;
  readonly #pods = new Map<string, PodVolumes>();

  constructor(options: VolumeManagerOptions) {
    this.#podsDir = options.podsDir;
    this.#sources = options.sources;
    this.#log = options.log ?? (() => undefined);
    this.#tokens = new TokenCache(options.sources, options.now);
  }

  /** <podsDir>/<uid>/volumes */
  podVolumesDir(podUid: string): string {
    return join(this.#podsDir, podUid, 'volumes');
  }

  /**
   * Prepares every volume of the pod. Idempotent: once every volume is ready a call only records
   * the newest pod object; after a failure or an agent restart it redoes the work, reusing what is
   * already on disk (directories, tmpfs mounts, unchanged projected files). Throws VolumeSetUpFailed listing each failed volume (one
   * FailedMount event each); volumes that worked stay set up.
   */
  async setUp(pod: Pod, node: NodeFacts): Promise<Map<string, VolumeInfo>> {
    const uid = pod.metadata.uid;
    if (!uid) throw new VolumeError('pod has no metadata.uid');
    const volumes = pod.spec?.volumes ?? [];
    // Already done (the pod workers call setUp on every sync): keep the newest pod object for
    // refresh and answer from memory; contents are kept current by refresh.
    const known = this.#pods.get(uid);
    if (known && volumes.every((v) => known.volumes.has(v.name))) {
      known.pod = pod;
      known.node = node;
      return new Map(known.volumes);
    }
    const results = await Promise.allSettled(volumes.map((v) => this.#setUpVolume(pod, v, node)));
    const infos = new Map<string, VolumeInfo>();
    const failures: MountVolumeError[] = [];
    results.forEach((r, i) => {
      const name = volumes[i]?.name ?? '';
      if (r.status === 'fulfilled') infos.set(name, r.value);
      else failures.push(new MountVolumeError(name, r.reason));
    });
    this.#pods.set(uid, { pod, node, volumes: infos });
    if (failures.length > 0) throw new VolumeSetUpFailed(failures);
    return new Map(infos);
  }

  /**
   * Rewrites configMap, secret, downwardAPI and projected contents from the current objects (and
   * the pod's current labels/annotations). Returns one error per volume that could not be synced.
   */
  async refresh(pod: Pod): Promise<MountVolumeError[]> {
    const uid = pod.metadata.uid ?? '';
    const state = this.#pods.get(uid);
    if (!state) return [];
    state.pod = pod;
    const failures: MountVolumeError[] = [];
    for (const v of pod.spec?.volumes ?? []) {
      if (!isProjecting(v) || !state.volumes.has(v.name)) continue;
      try {
        const dir = this.#volumeDir(uid, v);
        if (await this.#project(pod, v, state.node, dir)) await setVolumeOwnership(dir, fsGroupOf(pod), { readOnly: true });
      } catch (err) {
        failures.push(new MountVolumeError(v.name, err));
      }
    }
    return failures;
  }

  /** Unmounts the pod's tmpfs volumes and removes <podsDir>/<uid>/volumes; fine if already gone. */
  async tearDown(podUid: string): Promise<void> {
    const dir = this.podVolumesDir(podUid);
    await unmountAllUnder(dir);
    await rm(dir, { recursive: true, force: true });
    this.#pods.delete(podUid);
    this.#tokens.forgetPod(podUid);
    this.#log('volumes torn down', { podUid });
  }

  /**
   * The engine mounts for one container: volumeMounts resolved against setUp's result, subPath and
   * subPathExpr (expanded with `env`, the container's KEY=VALUE list) prepared on the host.
   */
  async containerMounts(pod: Pod, container: Container, volumePaths: ReadonlyMap<string, VolumeInfo>, env: readonly string[] = []): Promise<VolumeMount[]> {
    void pod;
    const envMap = new Map<string, string>();
    for (const kv of env) {
      const at = kv.indexOf('=');
      if (at > 0) envMap.set(kv.slice(0, at), kv.slice(at + 1));
    }
    const mounts: VolumeMount[] = [];
    for (const m of container.volumeMounts ?? []) {
      const info = volumePaths.get(m.name);
      if (!info) throw new ContainerMountError(`cannot find volume "${m.name}" to mount into container "${container.name}"`);
      const subPath = m.subPathExpr ? expandSubPathExpr(m.subPathExpr, envMap) : (m.subPath ?? '');
      const source = subPath ? await prepareSubPath(info.hostPath, subPath, m.name, container.name) : info.hostPath;
      const mount: VolumeMount = { source, destination: m.mountPath, readonly: Boolean(m.readOnly) || info.readOnly };
      const propagation = m.mountPropagation ? PROPAGATION[m.mountPropagation] : undefined;
      if (propagation) mount.propagation = propagation;
      mounts.push(mount);
    }
    return mounts;
  }

  #volumeDir(uid: string, v: Volume): string {
    return join(this.podVolumesDir(uid), pluginDir(v) ?? 'unknown', v.name);
  }

  async #setUpVolume(pod: Pod, v: Volume, node: NodeFacts): Promise<VolumeInfo> {
    const uid = pod.metadata.uid ?? '';
    const ns = pod.metadata.namespace ?? 'default';
    if (v.hostPath) {
      await checkHostPathType(v.hostPath.path, v.hostPath.type);
      return { hostPath: v.hostPath.path, readOnly: false };
    }
    if (v.persistentVolumeClaim) {
      const { path, local } = await claimPath(this.#sources, ns, v.persistentVolumeClaim.claimName);
      const readOnly = Boolean(v.persistentVolumeClaim.readOnly);
      // The local plugin applies the fsGroup (with the pod's change policy) to a writable mount;
      // hostPath PVs are left as they are, as upstream's hostPath plugin does.
      if (local && !readOnly) await setVolumeOwnership(path, fsGroupOf(pod), { readOnly: false, changePolicy: pod.spec?.securityContext?.fsGroupChangePolicy });
      return { hostPath: path, readOnly };
    }
    if (!pluginDir(v)) throw new VolumeError('no volume plugin matched');
    const dir = this.#volumeDir(uid, v);
    if (v.emptyDir) {
      // Only a new emptyDir is given to the fsGroup, as upstream's is once, when first set up: what
      // containers made in it since is the fsGroup's through the setgid bit.
      if (await this.#emptyDir(dir, v.emptyDir.medium === 'Memory', v.emptyDir.sizeLimit)) await setVolumeOwnership(dir, fsGroupOf(pod), { readOnly: false });
      return { hostPath: dir, readOnly: false };
    }
    // Secrets, downward API and projected files sit on tmpfs like upstream's memory-backed wrapper
    // emptyDir; configMaps on disk.
    await this.#emptyDir(dir, !v.configMap, undefined);
    await this.#project(pod, v, node, dir);
    await setVolumeOwnership(dir, fsGroupOf(pod), { readOnly: true });
    return { hostPath: dir, readOnly: true };
  }

  /** Makes the directory (and its tmpfs); whether it was new. */
  async #emptyDir(dir: string, memory: boolean, sizeLimit: string | undefined): Promise<boolean> {
    const created = (await mkdir(dir, { recursive: true, mode: 0o777 })) !== undefined;
    if (memory) {
      let size: number | undefined;
      if (sizeLimit !== undefined) {
        size = parseQuantity(sizeLimit);
        if (size <= 0) size = undefined;
      }
      await mountTmpfs(dir, size);
    } else if (created) {
      await chmod(dir, 0o777); // any container user may write to an emptyDir (empty_dir.go setupDir)
    }
    return created;
  }

  /** Writes the volume's files; whether anything changed. */
  async #project(pod: Pod, v: Volume, node: NodeFacts, dir: string): Promise<boolean> {
    const ns = pod.metadata.namespace ?? 'default';
    let payload: Payload;
    if (v.configMap) {
      const { name = '', items, defaultMode = DEFAULT_MODE, optional = false } = v.configMap;
      const cm = await this.#sources.getConfigMap(ns, name);
      if (!cm && !optional) throw new VolumeSourceNotFound('configmap', name);
      payload = configMapPayload(cm ?? { metadata: { name } }, items, defaultMode, optional);
    } else if (v.secret) {
      const { secretName = '', items, defaultMode = DEFAULT_MODE, optional = false } = v.secret;
      const secret = await this.#sources.getSecret(ns, secretName);
      if (!secret && !optional) throw new VolumeSourceNotFound('secret', secretName);
      payload = secretPayload(secret ?? { metadata: { name: secretName } }, items, defaultMode, optional);
    } else if (v.downwardAPI) {
      payload = downwardApiPayload(pod, v.downwardAPI.items, v.downwardAPI.defaultMode ?? DEFAULT_MODE, node.allocatable);
    } else if (v.projected) {
      payload = await projectedPayload(pod, v.projected.sources ?? [], v.projected.defaultMode ?? DEFAULT_MODE, this.#sources, node, this.#tokens);
    } else return false;
    const written = await writeAtomically(dir, payload);
    if (written) this.#log('volume contents written', { pod: pod.metadata.name, volume: v.name });
    return written;
  }
}

const fsGroupOf = (pod: Pod): number | undefined => pod.spec?.securityContext?.fsGroup;
