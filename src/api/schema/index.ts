// The registry of every built-in definition, and lookups over it.
import type { Definitions, Schema } from './dsl.ts';
import { definitions as meta } from './meta.ts';
import { definitions as coreV1 } from './core-v1.ts';
import { definitions as appsV1 } from './apps-v1.ts';
import { definitions as authenticationV1 } from './authentication-v1.ts';
import { definitions as authorizationV1 } from './authorization-v1.ts';
import { definitions as batchV1 } from './batch-v1.ts';
import { definitions as certificatesV1 } from './certificates-v1.ts';
import { definitions as autoscalingV1 } from './autoscaling-v1.ts';
import { definitions as autoscalingV2 } from './autoscaling-v2.ts';
import { definitions as coordinationV1 } from './coordination-v1.ts';
import { definitions as discoveryV1 } from './discovery-v1.ts';
import { definitions as eventsV1 } from './events-v1.ts';
import { definitions as networkingV1 } from './networking-v1.ts';
import { definitions as nodeV1 } from './node-v1.ts';
import { definitions as policyV1 } from './policy-v1.ts';
import { definitions as rbacV1 } from './rbac-v1.ts';
import { definitions as storageV1 } from './storage-v1.ts';
import { definitions as schedulingV1 } from './scheduling-v1.ts';
import { definitions as admissionregistrationV1Webhooks } from './admissionregistration-v1-webhooks.ts';
import { definitions as admissionPolicyV1 } from './admission-policy-v1.ts';
import { definitions as apiextensionsV1 } from './apiextensions-v1.ts';

export type { Definitions, Schema } from './dsl.ts';

const ALL_DEFINITIONS: Definitions = {
  ...meta, ...coreV1, ...appsV1, ...authenticationV1, ...batchV1, ...autoscalingV1, ...autoscalingV2, ...coordinationV1,
  ...discoveryV1, ...eventsV1, ...networkingV1, ...nodeV1, ...policyV1, ...storageV1,
  ...schedulingV1,
  ...admissionregistrationV1Webhooks,
  ...admissionPolicyV1,
  ...apiextensionsV1,
  ...authorizationV1, ...certificatesV1,
  ...rbacV1,
};

/** Built-in definitions, plus those of custom resources while their CRDs exist (setCustomDefinitions). */
export const DEFINITIONS: Readonly<Definitions> = ALL_DEFINITIONS;

export function getDefinition(name: string): Schema | undefined {
  return DEFINITIONS[name];
}

const byGVK = new Map<string, string>();
function indexDefinition(name: string, s: Schema): void {
  for (const g of s['x-kubernetes-group-version-kind'] ?? []) byGVK.set(`${g.group}/${g.version}/${g.kind}`, name);
}
for (const [name, s] of Object.entries(DEFINITIONS)) indexDefinition(name, s);

const customOwners = new Map<string, string[]>();

/**
 * Replace the definitions one CRD contributes (its kinds' schemas, named as upstream's
 * `com.example.stable.v1.CronTab`): typed checks, pruning, OpenAPI and server-side apply then
 * see them as they see built-in kinds. An empty record drops them.
 */
export function setCustomDefinitions(owner: string, defs: Definitions): void {
  for (const name of customOwners.get(owner) ?? []) {
    for (const g of ALL_DEFINITIONS[name]?.['x-kubernetes-group-version-kind'] ?? []) {
      const k = `${g.group}/${g.version}/${g.kind}`;
      if (byGVK.get(k) === name) byGVK.delete(k);
    }
    delete ALL_DEFINITIONS[name];
  }
  const names = Object.keys(defs).filter((n) => !Object.hasOwn(ALL_DEFINITIONS, n));
  for (const name of names) {
    ALL_DEFINITIONS[name] = defs[name]!;
    indexDefinition(name, defs[name]!);
  }
  if (names.length) customOwners.set(owner, names);
  else customOwners.delete(owner);
}

/** The definition name of a kind, e.g. ('', 'v1', 'Pod') → 'io.k8s.api.core.v1.Pod'. */
export function definitionNameFor(group: string, version: string, kind: string): string | undefined {
  return byGVK.get(`${group}/${version}/${kind}`);
}

/** Follow a $ref (bare definition name) to its schema; other schemas are returned as they are. */
export function resolve(s: Schema): Schema {
  let cur = s;
  for (let i = 0; cur.$ref && i < 32; i++) {
    const next = DEFINITIONS[cur.$ref];
    if (!next) return { 'x-kubernetes-preserve-unknown-fields': true };
    cur = next;
  }
  return cur;
}
