// The platform images are chosen for: this machine's, in OCI/Go naming.
import type { Platform } from './oci-types.ts';

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function hostPlatform(): Platform {
  return { os: 'linux', architecture: GO_ARCH[process.arch] ?? process.arch };
}

export function formatPlatform(p: Partial<Platform> | undefined): string {
  if (!p) return 'unknown';
  return [p.os ?? '?', p.architecture ?? '?', p.variant].filter(Boolean).join('/');
}

export function platformMatches(want: Platform, have: Partial<Platform> | undefined): boolean {
  if (!have) return false;
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  return want.variant === undefined || have.variant === undefined || have.variant === want.variant;
}
