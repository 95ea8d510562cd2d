// The kubelet's streaming paths (pkg/kubelet/server/server.go InstallDebuggingHandlers):
// /containerLogs/{ns}/{pod}/{container}, /exec/{ns}/{pod}[/{uid}]/{container},
// /attach/{ns}/{pod}[/{uid}]/{container}, /portForward/{ns}/{pod}[/{uid}].

export type StreamRoute =
  | { kind: 'logs'; namespace: string; pod: string; container: string }
  | { kind: 'exec' | 'attach'; namespace: string; pod: string; uid?: string; container: string }
  | { kind: 'portForward'; namespace: string; pod: string; uid?: string };

export function parseRoute(pathname: string): StreamRoute | undefined {
  const parts = pathname.split('/').slice(1).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const [head, namespace, pod, a, b] = parts;
  if (!namespace || !pod) return undefined;
  switch (head) {
    case 'containerLogs':
      return parts.length === 4 && a ? { kind: 'logs', namespace, pod, container: a } : undefined;
    case 'exec':
    case 'attach':
      if (parts.length === 4 && a) return { kind: head, namespace, pod, container: a };
      if (parts.length === 5 && a && b) return { kind: head, namespace, pod, uid: a, container: b };
      return undefined;
    case 'portForward':
      if (parts.length === 3) return { kind: 'portForward', namespace, pod };
      if (parts.length === 4 && a) return { kind: 'portForward', namespace, pod, uid: a };
      return undefined;
    default:
      return undefined;
  }
}
