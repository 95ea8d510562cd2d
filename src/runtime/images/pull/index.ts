// Pulling images from OCI distribution (docker registry v2) registries into the image store.
export { pullImage, downloadDir } from './pull-image.ts';
export type { PullOptions, PullResult } from './pull-image.ts';
export type { PullBlob, PullEvent } from './pull-events.ts';
export type { Credentials } from './registry-auth.ts';
export { isLoopbackHost, registryEndpoint } from './registry-host.ts';
export type { RegistryEndpoint } from './registry-host.ts';
export {
  InsecureRegistry, NoMatchingPlatform, RegistryError, RegistryUnauthorized, RemoteImageNotFound,
  isInsecureRegistry, isNoMatchingPlatform, isRegistryError, isRegistryUnauthorized, isRemoteImageNotFound,
} from './errors.ts';
export { createProgressPrinter } from './progress-printer.ts';
export type { ProgressOutput } from './progress-printer.ts';
export { dockerConfigCredentials, dockerConfigPath } from './docker-config.ts';
