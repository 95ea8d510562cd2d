// Container environment for the node agent (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables):
//
//   const { env, command, args, warnings } = await resolveContainerEnv({ pod, container, sources, node, podIPs });
//
// Throws ContainerConfigError (message as kubelet's, e.g. `configmap "x" not found`) → report the
// container as waiting with reason CreateContainerConfigError. `warnings` are Warning events with
// reason InvalidEnvironmentVariableNames. fieldpath/resource-value are shared with volumes.
export { resolveContainerEnv, secretValue } from './resolve-env.ts';
export type { ResolveEnvInput, ResolvedEnv } from './resolve-env.ts';
export { ContainerConfigError, FieldPathError, SourceNotFoundError, isContainerConfigError, isSourceNotFound } from './errors.ts';
export { expand, lookupIn } from './expansion.ts';
export type { Lookup } from './expansion.ts';
export { extractFieldPathAsString, formatMap, podFieldValue } from './fieldpath.ts';
export { containerResourceValue, resourceValueForContainer, withDefaultLimits } from './resource-value.ts';
export type { NodeFacts, ObjectSources } from './types.ts';
