// Admission: mutating plugins run first, then validating ones, before anything is stored
// (k8s.io/apiserver/pkg/admission/interfaces.go).
import type { KubeObject } from '../../api/meta.ts';
import type { ResourceInfo } from '../../api/scheme.ts';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  /** Extra attributes (authenticator or impersonation `Impersonate-Extra-*`), as user.Info's GetExtra. */
  extra?: Record<string, string[]>;
}

export interface AdmissionAttributes {
  info: ResourceInfo;
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  namespace: string;
  name: string;
  subresource: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  user: UserInfo;
  dryRun: boolean;
  /** Adds a warning for the client (a `Warning: 299` response header, shown by kubectl). */
  warn(message: string): void;
}

export interface AdmissionPlugin {
  readonly name: string;
  mutate?(a: AdmissionAttributes): void | Promise<void>;
  validate?(a: AdmissionAttributes): void | Promise<void>;
}

export async function admit(plugins: readonly AdmissionPlugin[], a: AdmissionAttributes): Promise<void> {
  for (const p of plugins) if (p.mutate) await p.mutate(a);
  for (const p of plugins) if (p.validate) await p.validate(a);
}
