// The image store's public surface for the engine and the CLI.
export { ImageStore } from './image-store.ts';
export type { ImageDetails, ImageLayer, ImageRuntimeConfig, ImageSummary, PruneOptions, PruneResult, RemoveResult } from './image-store.ts';
export { ImageTransaction } from './image-transaction.ts';
export { BlobStore } from './blob-store.ts';
export type { BlobInfo, BlobSource, ExpectedBlob, WrittenBlob } from './blob-store.ts';
export { SnapshotStore } from './snapshot-store.ts';
export { importImage, ImportFailed } from './import-image.ts';
export type { ImportOptions } from './import-image.ts';
export { BUSYBOX_IMAGE, PAUSE_IMAGE, PAUSE_IMAGE_ALIAS, createBaseImages, ensureBaseImages } from './base-images.ts';
export type { BaseImageSources } from './base-images.ts';
export { familiarReference, normalizeReference, parseReference } from './reference.ts';
export type { ImageReference } from './reference.ts';
export {
  DigestMismatch, ImageNotFound, InvalidImage, InvalidReference, UnsafeLayerEntry,
  isDigestMismatch, isImageNotFound, isInvalidImage, isInvalidReference, isUnsafeLayerEntry,
} from './errors.ts';
export type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from './oci-types.ts';
export * as mediaTypes from './media-types.ts';
