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
  /** The group/version the client spoke (`info` and the objects are in the storage version). */
  apiVersion?: string;
  /** Adds a warning for the client (a `Warning: 299` response header, shown by kubectl). */
  warn(message: string): void;
}

export interface AdmissionPlugin {
  readonly name: string;
  mutate?(a: AdmissionAttributes): void | Promise<void>;
  validate?(a: AdmissionAttributes): void | Promise<void>;
}

const reinvocations = new WeakMap<AdmissionAttributes, 'requested' | 'running'>();

/** A plugin changed the object in a way earlier plugins should see: one more mutating round. */
export function requestReinvocation(a: AdmissionAttributes): void {
  if (!reinvocations.has(a)) reinvocations.set(a, 'requested');
}

/** True in the second mutating round. */
export const isReinvocation = (a: AdmissionAttributes): boolean => reinvocations.get(a) === 'running';

export async function admit(plugins: readonly AdmissionPlugin[], a: AdmissionAttributes): Promise<void> {
  for (const p of plugins) if (p.mutate) await p.mutate(a);
  // A mutating webhook changed the object: every mutating plugin runs once more, so in-tree ones
  // see what it added (k8s.io/apiserver/pkg/admission/reinvocation.go); they must be idempotent.
  if (reinvocations.get(a) === 'requested') {
    reinvocations.set(a, 'running');
    for (const p of plugins) if (p.mutate) await p.mutate(a);
  }
  for (const p of plugins) if (p.validate) await p.validate(a);
}
