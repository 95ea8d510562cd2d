// The `info` block both OpenAPI documents carry; the version is the Kubernetes release whose API
// skiff follows (clients compare it with discovery's /version, not with this).
export const KUBERNETES_VERSION = 'v1.33.0';

export function openapiInfo(): { title: string; version: string } {
  return { title: 'Kubernetes', version: KUBERNETES_VERSION };
}
