// The ValidatingAdmissionPolicy admission plugin and the cache-backed source it reads from.
export { PLUGIN_NAME, VALIDATION_FAILURE_ANNOTATION, validatingAdmissionPolicy, type ValidatingPolicyOptions } from './plugin.ts';
export { policySourceFromCache, type CacheSourceOptions, type ParamStore, type PolicySource } from './source.ts';
export { matchResources, ruleMatches, type RequestResource } from './matching.ts';
