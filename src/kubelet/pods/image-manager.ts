// Makes a container's image present per its imagePullPolicy (pkg/kubelet/images/image_manager.go):
// Never uses only what is stored (ErrImageNeverPull), IfNotPresent pulls when missing, Always
// pulls every time — except busybox and pause, which the engine builds locally and never pulls.
// A failed pull is ErrImagePull; until its backoff expires the container waits in ImagePullBackOff.
import { normalizeReference, parseReference, BUSYBOX_IMAGE, PAUSE_IMAGE, PAUSE_IMAGE_ALIAS, ensureBaseImages, isImageNotFound } from '../../runtime/images/index.ts';
import type { ImageDetails } from '../../runtime/images/index.ts';
import { pullImage } from '../../runtime/images/pull/index.ts';
import type { Engine } from '../../runtime/engine.ts';
import type { Container, Pod } from '../../api/types/core-v1.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import { Backoff } from './backoff.ts';

export class ImageError extends Error {
  readonly code = 'ImageError';
  /** The waiting reason shown in the container status. */
  readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName';
  /** When set, retry no earlier than this (ms since the epoch). */
  readonly retryAt: number | undefined;

  constructor(reason: ImageError['reason'], message: string, retryAt?: number, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
    this.retryAt = retryAt;
  }
}

export function isImageError(err: unknown): err is ImageError {
  return err instanceof ImageError;
}

export interface ResolvedImage {
  /** Normalised reference, e.g. docker.io/library/busybox:latest. */
  ref: string;
  details: ImageDetails;
  /** Layer directories, topmost first (the overlay's lowerdir order). */
  lowerDirs: string[];
  /** `docker.io/library/busybox@sha256:…`, as containerStatuses[].imageID. */
  imageID: string;
}

const LOCAL_IMAGES = new Set([BUSYBOX_IMAGE, PAUSE_IMAGE, PAUSE_IMAGE_ALIAS]);

export interface ImageManagerOptions {
  engine: Engine;
  recorder: EventRecorder;
  backoff: { baseMs: number; maxMs: number };
}

export class ImageManager {
  readonly #o: ImageManagerOptions;
  readonly #backoff: Backoff;
  readonly #layers = new Map<string, string[]>();
  /** When the last pull of a key failed (ms), for the backoff. */
  readonly #lastFailure = new Map<string, number>();

  constructor(options: ImageManagerOptions) {
    this.#o = options;
    this.#backoff = new Backoff(options.backoff);
  }

  async ensure(pod: Pod, container: Container, fieldPath: string): Promise<ResolvedImage> {
    const image = container.image ?? '';
    let ref: string;
    try {
      ref = normalizeReference(image);
    } catch (err) {
      this.#o.recorder.pod(pod, 'Warning', 'InspectFailed', `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`, fieldPath);
      throw new ImageError('InvalidImageName', `Failed to apply default image tag "${image}": invalid reference format`, undefined, { cause: err });
    }
    const parsed = parseReference(image);
    const hasTag = parsed.tag !== undefined || parsed.digest !== undefined;
    const policy = container.imagePullPolicy ?? (!hasTag || ref.endsWith(':latest') ? 'Always' : 'IfNotPresent');
    const local = LOCAL_IMAGES.has(ref);
    if (local) await ensureBaseImages(this.#o.engine.images);
    let present = await this.#inspect(ref);
    if (policy === 'Never' && !present) {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      this.#o.recorder.pod(pod, 'Warning', 'ErrImageNeverPull', msg, fieldPath);
      throw new ImageError('ErrImageNeverPull', msg);
    }
    const mustPull = !local && (policy === 'Always' || !present);
    if (!mustPull) {
      if (present) this.#o.recorder.pod(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, fieldPath);
    } else {
      const key = `${pod.metadata.uid}/${container.name}/${ref}`;
      const blocked = this.#backoff.blockedUntil(key, this.#lastFailure.get(key) ?? 0);
      if (blocked !== undefined) {
        const msg = `Back-off pulling image "${image}"`;
        this.#o.recorder.pod(pod, 'Normal', 'BackOff', msg, fieldPath);
        throw new ImageError('ImagePullBackOff', msg, blocked);
      }
      this.#o.recorder.pod(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, fieldPath);
      const started = Date.now();
      try {
        await pullImage(this.#o.engine.images, ref, { retries: 1 });
      } catch (err) {
        this.#backoff.next(key);
        this.#lastFailure.set(key, Date.now());
        const msg = `Failed to pull image "${image}": ${(err as Error).message}`;
        this.#o.recorder.pod(pod, 'Warning', 'Failed', msg, fieldPath);
        this.#o.recorder.pod(pod, 'Warning', 'Failed', 'Error: ErrImagePull', fieldPath);
        throw new ImageError('ErrImagePull', msg, Date.now() + this.#backoff.delayMs(key), { cause: err });
      }
      this.#backoff.reset(key);
      this.#lastFailure.delete(key);
      this.#layers.delete(ref);
      present = await this.#inspect(ref);
      if (!present) throw new ImageError('ErrImagePull', `image "${image}" missing after pull`);
      this.#o.recorder.pod(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${Date.now() - started}ms`, fieldPath);
    }
    const details = present!;
    let lowerDirs = this.#layers.get(details.digest);
    if (!lowerDirs) {
      lowerDirs = (await this.#o.engine.images.rootfsLayers(details.digest)).reverse();
      this.#layers.set(details.digest, lowerDirs);
    }
    return { ref, details, lowerDirs, imageID: imageIdOf(ref, details.digest) };
  }

  forgetPod(uid: string): void {
    this.#backoff.forgetPrefix(`${uid}/`);
    for (const k of this.#lastFailure.keys()) if (k.startsWith(`${uid}/`)) this.#lastFailure.delete(k);
  }

  async #inspect(ref: string): Promise<ImageDetails | undefined> {
    try {
      return await this.#o.engine.images.inspectImage(ref);
    } catch (err) {
      if (isImageNotFound(err)) return undefined;
      throw err;
    }
  }
}

/** `repo@digest` from a normalised reference `repo:tag` or `repo@digest`. */
export function imageIdOf(ref: string, digest: string): string {
  const at = ref.indexOf('@');
  const repo = at >= 0 ? ref.slice(0, at) : ref.replace(/:[^:/]+$/, '');
  return `${repo}@${digest}`;
}
