// An error answered with an HTTP status and a plain-text body, as the kubelet's server does
// (the API server turns 400/404/500 bodies into a Status: k8s.io/apiserver/pkg/registry/generic/rest/streamer.go).
export class HttpError extends Error {
  readonly code = 'KubeletHttpError';
  readonly status: number;
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HttpError';
    this.status = status;
  }
}

export function isHttpError(err: unknown): err is HttpError {
  return err instanceof Error && (err as { code?: unknown }).code === 'KubeletHttpError';
}
