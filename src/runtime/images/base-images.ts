// The two images skiff needs, built from Debian packages without any registry: busybox (from
// busybox-static) for workloads and tests, pause (catatonit) for pod sandboxes. Everything that
// goes into them is fixed (entry order, mtimes, owners, config), so the same package versions
// always give the same digests.
import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { InvalidImage } from './errors.ts';
import type { ImageStore, ImageSummary } from './image-store.ts';
import { MEDIA_OCI_CONFIG, MEDIA_OCI_LAYER, MEDIA_OCI_MANIFEST } from './media-types.ts';
import type { ContainerConfig, ImageConfig, ImageManifest } from './oci-types.ts';
import { hostPlatform } from './platform.ts';
import { isStaticElf } from './static-binary.ts';
import { EPOCH, buildTar } from './tar-build.ts';
import type { TarEntrySpec } from './tar-build.ts';

const run = promisify(execFile);

export const BUSYBOX_IMAGE = 'docker.io/library/busybox:latest';
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
export const PAUSE_IMAGE_ALIAS = 'docker.io/library/pause:3.10';

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * `printenv [NAME]...` for a busybox built without that applet (Debian's busybox-static 1.35):
 * the documentation's examples use it. Each set variable's value, exit status 1 when one is unset;
 * awk rather than sh, which would drop variables whose names are not shell identifiers.
 */
const PRINTENV_SHIM = `#!/bin/awk -f
BEGIN {
  if (ARGC == 1) for (name in ENVIRON) print name "=" ENVIRON[name]
  rc = 0
  for (i = 1; i < ARGC; i++) if (ARGV[i] in ENVIRON) print ENVIRON[ARGV[i]]; else rc = 1
  exit rc
}
`;

export interface BaseImageSources {
  /** A statically linked busybox; default: Debian busybox-static's. */
  busybox?: string;
  /** Debian catatonit's static binary. */
  catatonit?: string;
}

interface BaseImageSpec {
  names: string[];
  build: (sources: BaseImageSources) => Promise<{ layer: Buffer; config: ContainerConfig; comment: string }>;
}

const BASE_IMAGES: BaseImageSpec[] = [
  { names: [BUSYBOX_IMAGE], build: buildBusybox },
  { names: [PAUSE_IMAGE, PAUSE_IMAGE_ALIAS], build: buildPause },
];

/** Builds (or rebuilds, to the same digests) both base images. */
export async function createBaseImages(store: ImageStore, sources: BaseImageSources = {}): Promise<ImageSummary[]> {
  const out: ImageSummary[] = [];
  for (const spec of BASE_IMAGES) out.push(await createBaseImage(store, spec, sources));
  return out;
}

/** Builds the base images that are missing; the engine calls this before its first pod. */
export async function ensureBaseImages(store: ImageStore, sources: BaseImageSources = {}): Promise<void> {
  for (const spec of BASE_IMAGES) {
    let present = true;
    for (const name of spec.names) {
      try {
        await store.rootfsLayers(name);
      } catch {
        present = false;
      }
    }
    if (!present) await createBaseImage(store, spec, sources);
  }
}

async function createBaseImage(store: ImageStore, spec: BaseImageSpec, sources: BaseImageSources): Promise<ImageSummary> {
  const { layer, config, comment } = await spec.build(sources);
  const platform = hostPlatform();
  return store.update(async (tx) => {
    const layerBlob = await tx.writeBlob(layer);
    const imageConfig: ImageConfig = {
      created: EPOCH.toISOString(),
      architecture: platform.architecture,
      os: platform.os,
      config,
      rootfs: { type: 'layers', diff_ids: [layerBlob.digest] },
      history: [{ created: EPOCH.toISOString(), created_by: 'skiff image create-base', comment }],
    };
    const configBlob = await tx.writeJson(imageConfig);
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MEDIA_OCI_MANIFEST,
      config: { mediaType: MEDIA_OCI_CONFIG, digest: configBlob.digest, size: configBlob.size },
      layers: [{ mediaType: MEDIA_OCI_LAYER, digest: layerBlob.digest, size: layerBlob.size }],
    };
    const manifestBlob = await tx.writeJson(manifest);
    await tx.commitImage(manifestBlob.digest, spec.names);
    return {
      names: [...spec.names].sort(),
      digest: manifestBlob.digest,
      configDigest: configBlob.digest,
      size: configBlob.size + layerBlob.size,
      created: imageConfig.created!,
      os: platform.os,
      architecture: platform.architecture,
    };
  });
}

async function staticBinary(candidates: string[], pkg: string): Promise<{ path: string; data: Buffer }> {
  for (const path of candidates) {
    try {
      await access(path);
    } catch {
      continue;
    }
    if (!(await isStaticElf(path))) throw new InvalidImage(`${path} is not statically linked: install the Debian package ${pkg}`);
    return { path, data: await readFile(path) };
  }
  throw new InvalidImage(`${candidates[0]} not found: install the Debian package ${pkg}`);
}

async function buildBusybox(sources: BaseImageSources): Promise<{ layer: Buffer; config: ContainerConfig; comment: string }> {
  const bin = await staticBinary(sources.busybox ? [sources.busybox] : ['/usr/bin/busybox', '/bin/busybox'], 'busybox-static');
  const { stdout } = await run(bin.path, ['--list']);
  const applets = [...new Set(stdout.split('\n').map((s) => s.trim()))]
    .filter((a) => a !== '' && a !== 'busybox' && !a.includes('/'))
    .sort();
  const entries: TarEntrySpec[] = [
    { name: 'bin/', type: 'directory' },
    { name: 'bin/busybox', data: bin.data, mode: 0o755 },
    ...applets.map((a): TarEntrySpec => ({ name: `bin/${a}`, type: 'link', linkname: 'bin/busybox' })),
    ...(applets.includes('printenv') ? [] : [{ name: 'bin/printenv', data: PRINTENV_SHIM, mode: 0o755 }]),
    { name: 'dev/', type: 'directory' },
    { name: 'etc/', type: 'directory' },
    { name: 'etc/group', data: 'root:x:0:\nnobody:x:65534:\n' },
    { name: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' },
    { name: 'proc/', type: 'directory', mode: 0o555 },
    { name: 'root/', type: 'directory', mode: 0o700 },
    { name: 'sys/', type: 'directory', mode: 0o555 },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
  ];
  return {
    layer: await buildTar(entries),
    config: { Env: [PATH_ENV], Cmd: ['sh'] },
    comment: `busybox from ${bin.path} with ${applets.length} applets`,
  };
}

async function buildPause(sources: BaseImageSources): Promise<{ layer: Buffer; config: ContainerConfig; comment: string }> {
  const bin = await staticBinary([sources.catatonit ?? '/usr/bin/catatonit'], 'catatonit');
  const entries: TarEntrySpec[] = [
    { name: 'usr/', type: 'directory' },
    { name: 'usr/bin/', type: 'directory' },
    { name: 'usr/bin/catatonit', data: bin.data, mode: 0o755 },
  ];
  return {
    layer: await buildTar(entries),
    // Mirrors registry.k8s.io/pause: unprivileged user, nothing but the init process.
    config: { Env: [PATH_ENV], Entrypoint: ['/usr/bin/catatonit', '-P'], User: '65535:65535' },
    comment: `pause from ${bin.path}`,
  };
}
