// Media types of the OCI image spec and their Docker schema 2 equivalents.

export const MEDIA_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
export const MEDIA_OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const MEDIA_OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
export const MEDIA_DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const MEDIA_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MEDIA_DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const MEDIA_DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const MEDIA_DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';

export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_CONTAINERD_NAME = 'io.containerd.image.name';

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === MEDIA_OCI_INDEX || mediaType === MEDIA_DOCKER_LIST;
}

export function isManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType === MEDIA_OCI_MANIFEST || mediaType === MEDIA_DOCKER_MANIFEST;
}

export type Compression = 'none' | 'gzip' | 'zstd';

/** What a layer's media type claims; `undefined` for media types skiff cannot unpack (encrypted, bzip2…). */
export function layerCompression(mediaType: string): Compression | undefined {
  switch (mediaType) {
    case MEDIA_OCI_LAYER:
    case MEDIA_DOCKER_LAYER:
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar':
      return 'none';
    case MEDIA_OCI_LAYER_GZIP:
    case MEDIA_DOCKER_LAYER_GZIP:
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip':
    case 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip':
      return 'gzip';
    case MEDIA_OCI_LAYER_ZSTD:
    case 'application/vnd.docker.image.rootfs.diff.tar.zstd':
      return 'zstd';
    default:
      return undefined;
  }
}
