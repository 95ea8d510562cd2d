// A container's environment, command and args, as pkg/kubelet/kubelet_pods.go
// (makeEnvironmentVariables) and pkg/kubelet/container/helpers.go (ExpandContainerCommandAndArgs).
// Service-link variables come last, under the pod's own (service-env.ts).
import type { ConfigMap, Container, Pod, Secret } from '../../api/types/core-v1.ts';
import { isEnvVarName } from '../../api/validation/names.ts';
import { ContainerConfigError, SourceNotFoundError } from './errors.ts';
import { expand, lookupIn } from './expansion.ts';
import { podFieldValue } from './fieldpath.ts';
import { containerResourceValue, withDefaultLimits } from './resource-value.ts';
import { serviceEnvVars } from './service-env.ts';
import type { NodeFacts, ObjectSources } from './types.ts';

export interface ResolveEnvInput {
  pod: Pod;
  container: Container;
  sources: ObjectSources;
  node: NodeFacts;
  /** The pod's IPs, primary first (empty before the sandbox has its network). */
  podIPs: string[];
}

export interface ResolvedEnv {
  /** `KEY=VALUE`, envFrom keys first (each source's keys sorted), then `env` entries in order. */
  env: string[];
  command?: string[];
  args?: string[];
  /**
   * Event messages kubelet records as Warning `InvalidEnvironmentVariableNames` (envFrom keys that
   * are not valid variable names and were skipped).
   */
  warnings: string[];
}

/** Decodes a Secret's base64 `data` value (what Go's []byte field holds). */
export function secretValue(secret: Secret, key: string): string | undefined {
  const b64 = secret.data?.[key];
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
}

/** Caches ConfigMap/Secret reads for one resolution, as upstream's per-call maps do. */
class SourceCache {
  readonly #sources: ObjectSources;
  readonly #namespace: string;
  readonly #configMaps = new Map<string, ConfigMap | undefined>();
  readonly #secrets = new Map<string, Secret | undefined>();
  constructor(sources: ObjectSources, namespace: string) {
    this.#sources = sources;
    this.#namespace = namespace;
  }
  async configMap(name: string): Promise<ConfigMap | undefined> {
    if (!this.#configMaps.has(name)) this.#configMaps.set(name, await this.#sources.getConfigMap(this.#namespace, name));
    return this.#configMaps.get(name);
  }
  async secret(name: string): Promise<Secret | undefined> {
    if (!this.#secrets.has(name)) this.#secrets.set(name, await this.#sources.getSecret(this.#namespace, name));
    return this.#secrets.get(name);
  }
}

/**
 * Resolves the container's environment. Throws ContainerConfigError (or its SourceNotFoundError
 * subclass) with kubelet's message when a required source or key is missing.
 */
export async function resolveContainerEnv(input: ResolveEnvInput): Promise<ResolvedEnv> {
  const { pod, container } = input;
  const ns = pod.metadata.namespace ?? 'default';
  const cache = new SourceCache(input.sources, ns);
  const vars = new Map<string, string>();
  const warnings: string[] = [];

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let entries: Array<[string, string]>;
    let kind: 'configMap' | 'secret';
    let name: string;
    if (from.configMapRef) {
      kind = 'configMap';
      name = from.configMapRef.name ?? '';
      const cm = await cache.configMap(name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new SourceNotFoundError('configmap', name);
      }
      entries = Object.entries(cm.data ?? {});
    } else if (from.secretRef) {
      kind = 'secret';
      name = from.secretRef.name ?? '';
      const secret = await cache.secret(name);
      if (!secret) {
        if (from.secretRef.optional) continue;
        throw new SourceNotFoundError('secret', name);
      }
      entries = Object.keys(secret.data ?? {}).map((k) => [k, secretValue(secret, k) ?? '']);
    } else continue;
    const invalid: string[] = [];
    for (const [key, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const k = prefix + key;
      if (isEnvVarName(k).length > 0) {
        invalid.push(k);
        continue;
      }
      vars.set(k, value);
    }
    if (invalid.length > 0) {
      warnings.push(`Keys [${invalid.sort().join(', ')}] from the EnvFrom ${kind} ${ns}/${name} were skipped since they are considered invalid environment variable names.`);
    }
  }

  // $(NAME) in env and command may name a service variable; the pod's own win.
  const serviceVars = new Map(serviceEnvVars(await input.sources.linkedServices?.(ns, pod.spec?.enableServiceLinks ?? true) ?? []));
  const lookup = lookupIn(vars, serviceVars);
  for (const envVar of container.env ?? []) {
    const value = await envVarValue(envVar, input, cache, ns, lookup);
    if (value !== undefined) vars.set(envVar.name, value);
  }

  // Like upstream's map, a later definition of a name replaces its value; here it keeps the place
  // where the name first appeared, so the order is stable. Service variables follow, each unless
  // the pod defines the name itself.
  const env = [...vars].map(([k, v]) => `${k}=${v}`);
  for (const [k, v] of serviceVars) if (!vars.has(k)) env.push(`${k}=${v}`);
  const out: ResolvedEnv = { env, warnings };
  const cmdLookup = lookupIn(vars, serviceVars);
  if (container.command?.length) out.command = container.command.map((c) => expand(c, cmdLookup));
  if (container.args?.length) out.args = container.args.map((a) => expand(a, cmdLookup));
  return out;
}

/** The value of one `env` entry; undefined when an optional source or key is missing (skipped). */
async function envVarValue(
  envVar: NonNullable<Container['env']>[number],
  input: ResolveEnvInput,
  cache: SourceCache,
  ns: string,
  lookup: ReturnType<typeof lookupIn>,
): Promise<string | undefined> {
  if (envVar.value) return expand(envVar.value, lookup);
  const from = envVar.valueFrom;
  if (!from) return '';
  if (from.fieldRef) {
    return podFieldValue(input.pod, from.fieldRef.fieldPath, { hostIPs: input.node.hostIPs, podIPs: input.podIPs });
  }
  if (from.resourceFieldRef) {
    const fs = from.resourceFieldRef;
    const target = fs.containerName
      ? [...(input.pod.spec?.containers ?? []), ...(input.pod.spec?.initContainers ?? [])].find((c) => c.name === fs.containerName)
      : input.container;
    if (!target) throw new ContainerConfigError(`container ${fs.containerName} not found`);
    return containerResourceValue(fs, withDefaultLimits(target, input.node.allocatable));
  }
  if (from.configMapKeyRef) {
    const { name = '', key, optional = false } = from.configMapKeyRef;
    const cm = await cache.configMap(name);
    if (!cm) {
      if (optional) return undefined;
      throw new SourceNotFoundError('configmap', name);
    }
    const v = cm.data?.[key];
    if (v === undefined) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
    }
    return v;
  }
  if (from.secretKeyRef) {
    const { name = '', key, optional = false } = from.secretKeyRef;
    const secret = await cache.secret(name);
    if (!secret) {
      if (optional) return undefined;
      throw new SourceNotFoundError('secret', name);
    }
    const v = secretValue(secret, key);
    if (v === undefined) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in Secret ${ns}/${name}`);
    }
    return v;
  }
  return '';
}
