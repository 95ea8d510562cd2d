// Shared apimachinery definitions (k8s.io/apimachinery/pkg/apis/meta/v1 and friends), under their
// upstream definition names so clients that key off those names (kubectl, client-go) recognise them.
import type { Definitions, GVK, Schema } from './dsl.ts';
import {
  arr, bool, CONDITION, enumStr, int, int64, INT_OR_STRING, LABEL_SELECTOR, LIST_META, MICRO_TIME, obj, OBJECT_META,
  QUANTITY, ref, str, strMap, TIME, time,
} from './dsl.ts';
import { servedGroups } from '../scheme.ts';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const OWNER_REFERENCE = `${META}.OwnerReference`;
export const MANAGED_FIELDS_ENTRY = `${META}.ManagedFieldsEntry`;
export const FIELDS_V1 = `${META}.FieldsV1`;
export const LABEL_SELECTOR_REQUIREMENT = `${META}.LabelSelectorRequirement`;
export const STATUS = `${META}.Status`;
export const STATUS_DETAILS = `${META}.StatusDetails`;
export const STATUS_CAUSE = `${META}.StatusCause`;
export const DELETE_OPTIONS = `${META}.DeleteOptions`;
export const PRECONDITIONS = `${META}.Preconditions`;
export const WATCH_EVENT = `${META}.WatchEvent`;
export const API_RESOURCE = `${META}.APIResource`;
export const API_RESOURCE_LIST = `${META}.APIResourceList`;
export const API_GROUP = `${META}.APIGroup`;
export const API_GROUP_LIST = `${META}.APIGroupList`;
export const API_VERSIONS = `${META}.APIVersions`;
export const GROUP_VERSION_FOR_DISCOVERY = `${META}.GroupVersionForDiscovery`;
export const SERVER_ADDRESS_BY_CLIENT_CIDR = `${META}.ServerAddressByClientCIDR`;
export const PATCH = `${META}.Patch`;
export const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';
export const VERSION_INFO = 'io.k8s.apimachinery.pkg.version.Info';

// Upstream registers DeleteOptions and WatchEvent into every served group-version (plus the core
// one), so a body sent to any group may carry its own apiVersion.
function inEveryGroupVersion(kindName: string): GVK[] {
  const out: GVK[] = [];
  for (const g of servedGroups()) for (const version of g.versions) out.push({ group: g.group, version, kind: kindName });
  return out;
}

const apiVersion = (): Schema => str('The versioned schema of this representation of an object (group/version).');
const kindField = (): Schema => str('The REST resource this object represents, in CamelCase.');

export const definitions: Definitions = {
  [TIME]: str('A timestamp in RFC 3339 form, to the second.', { format: 'date-time' }),
  [MICRO_TIME]: str('A timestamp in RFC 3339 form with microsecond precision.', { format: 'date-time' }),

  [QUANTITY]: str(
    'A fixed-point amount such as "500m", "1Gi" or "2"; plain JSON numbers are accepted too and read as the same amount.',
  ),
  [INT_OR_STRING]: str('Either an integer or a string, such as a port number or a percentage.', {
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
  }),
  // Free-form on purpose: the content is another object (or a field trie), checked, if at all, by
  // whoever reads it; without the marker strict field validation would reject every key inside.
  [RAW_EXTENSION]: {
    type: 'object',
    description: 'An embedded object of any kind, kept as-is.',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [FIELDS_V1]: {
    type: 'object',
    description: 'The set of fields a manager owns, as a trie of field keys.',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [PATCH]: { type: 'object', description: 'A patch document; its format is set by the request content type.' },

  [OBJECT_META]: obj({
    name: str('Name, unique within the namespace (or cluster, for cluster-scoped kinds); cannot be changed.'),
    generateName: str('Prefix the server uses to make a unique name when name is empty.'),
    namespace: str('Namespace the object lives in; empty for cluster-scoped kinds.'),
    selfLink: str('Deprecated and no longer set; kept for compatibility.'),
    uid: str('Unique identifier the server assigns at creation; never reused.'),
    resourceVersion: str('Opaque version of this object, changed on every write; used for optimistic concurrency and watches.'),
    generation: int64('Sequence number of changes to the desired state, set by the server.'),
    creationTimestamp: time('When the object was created, set by the server.'),
    deletionTimestamp: time('When the object will be removed, set by the server once deletion has been requested.'),
    deletionGracePeriodSeconds: int64('Seconds the object is given to terminate before it is removed.'),
    labels: strMap('Key/value pairs used to organise and select objects.'),
    annotations: strMap('Key/value pairs for tools and extensions; not used for selection.'),
    ownerReferences: arr(ref(OWNER_REFERENCE), {
      d: 'Objects this one depends on; when all owners are gone it is garbage collected.',
      mergeKey: 'uid',
    }),
    finalizers: arr(str(), {
      d: 'Keys that must all be removed before a deleted object actually goes away.',
      strategy: 'merge',
      listType: 'set',
    }),
    managedFields: arr(ref(MANAGED_FIELDS_ENTRY), {
      d: 'Which manager owns which fields, for server-side apply.',
      listType: 'atomic',
    }),
  }, { d: 'Metadata every persisted object carries.' }),

  [LIST_META]: obj({
    selfLink: str('Deprecated and no longer set; kept for compatibility.'),
    resourceVersion: str('Version of the collection at the time it was read; start a watch from here.'),
    continue: str('Token to fetch the next page of a chunked list; empty on the last page.'),
    remainingItemCount: int64('Estimated number of items left after this page, when known.'),
  }, { d: 'Metadata of a list response.' }),

  [OWNER_REFERENCE]: obj({
    apiVersion: str('API version of the owner.'),
    kind: str('Kind of the owner.'),
    name: str('Name of the owner.'),
    uid: str('UID of the owner.'),
    controller: bool('True when the owner is the managing controller; at most one owner may set this.'),
    blockOwnerDeletion: bool('When true, a foreground deletion of the owner waits for this object to be removed.'),
  }, {
    d: 'Points at an object that owns this one; the owner must be in the same namespace or cluster-scoped.',
    required: ['apiVersion', 'kind', 'name', 'uid'],
    extra: { 'x-kubernetes-map-type': 'atomic' },
  }),

  [MANAGED_FIELDS_ENTRY]: obj({
    manager: str('Name of the workflow that manages these fields.'),
    operation: enumStr(['Apply', 'Update'], 'Kind of write that produced this entry.'),
    apiVersion: str('API version the field set is expressed in.'),
    time: time('When the entry was last changed.'),
    fieldsType: str('Format of the field set; only "FieldsV1" exists.'),
    fieldsV1: ref(FIELDS_V1, 'The owned fields.'),
    subresource: str('Subresource the write went through, empty for the main resource.'),
  }, { d: 'One manager\'s claim on a set of fields.' }),

  [LABEL_SELECTOR]: obj({
    matchLabels: strMap('Labels that must all be present with exactly these values.'),
    matchExpressions: arr(ref(LABEL_SELECTOR_REQUIREMENT), { d: 'Set-based requirements, all of which must hold.', listType: 'atomic' }),
  }, {
    d: 'A label query; an empty selector matches everything, a missing one matches nothing.',
    extra: { 'x-kubernetes-map-type': 'atomic' },
  }),
  [LABEL_SELECTOR_REQUIREMENT]: obj({
    key: str('Label key the requirement applies to.'),
    operator: str('One of In, NotIn, Exists and DoesNotExist.'),
    values: arr(str(), { d: 'Values to compare with; empty for Exists and DoesNotExist.', listType: 'atomic' }),
  }, { d: 'One set-based label requirement.', required: ['key', 'operator'] }),

  [CONDITION]: obj({
    type: str('Condition type in CamelCase, e.g. Available.'),
    status: enumStr(['True', 'False', 'Unknown'], 'Whether the condition holds.'),
    observedGeneration: int64('The .metadata.generation the condition was computed from.'),
    lastTransitionTime: time('When status last changed.'),
    reason: str('Machine-readable CamelCase cause of the last transition.'),
    message: str('Human-readable detail about the last transition.'),
  }, {
    d: 'One aspect of an object\'s observed state.',
    required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
  }),

  [STATUS]: obj({
    apiVersion: apiVersion(),
    kind: kindField(),
    metadata: ref(LIST_META, 'Standard list metadata.'),
    status: str('"Success" or "Failure".'),
    message: str('Human-readable description of the outcome.'),
    reason: str('Machine-readable CamelCase reason for a failure; empty when unknown.'),
    details: ref(STATUS_DETAILS, 'Extra data that depends on the reason.'),
    code: int('Suggested HTTP status code; 0 when not set.'),
  }, {
    d: 'The result of an operation that does not return an object, and the shape of every API error.',
    extra: { 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Status' }] },
  }),
  [STATUS_DETAILS]: obj({
    name: str('Name of the object the status is about, when there is one.'),
    group: str('API group of that object.'),
    kind: str('Kind of that object.'),
    uid: str('UID of that object, when known.'),
    causes: arr(ref(STATUS_CAUSE), { d: 'Individual problems, e.g. one per invalid field.', listType: 'atomic' }),
    retryAfterSeconds: int('Seconds a client should wait before retrying, when set.'),
  }, { d: 'Structured detail attached to a Status.' }),
  [STATUS_CAUSE]: obj({
    reason: str('Machine-readable description of the problem.'),
    message: str('Human-readable description of the problem.'),
    field: str('Path of the offending field, e.g. spec.containers[0].name.'),
  }, { d: 'One cause of an error.' }),

  [DELETE_OPTIONS]: obj({
    apiVersion: apiVersion(),
    kind: kindField(),
    gracePeriodSeconds: int64('Seconds before the object is removed; 0 means now, unset means the kind\'s default.'),
    preconditions: ref(PRECONDITIONS, 'Conditions that must hold for the delete to go ahead.'),
    orphanDependents: bool('Deprecated in favour of propagationPolicy; true orphans dependents.'),
    propagationPolicy: enumStr(['Orphan', 'Background', 'Foreground'], 'How dependents are garbage collected.'),
    dryRun: arr(str(), { d: 'When "All", run every stage but do not persist.', listType: 'atomic' }),
    ignoreStoreReadErrorWithClusterBreakingPotential: bool('Delete an object even if it cannot be read from storage (e.g. undecryptable).'),
  }, {
    d: 'Options for a delete request.',
    extra: { 'x-kubernetes-group-version-kind': inEveryGroupVersion('DeleteOptions') },
  }),
  [PRECONDITIONS]: obj({
    uid: str('Target UID.'),
    resourceVersion: str('Target resourceVersion.'),
  }, { d: 'Must match the stored object for an operation to proceed.' }),

  [WATCH_EVENT]: obj({
    type: str('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
    object: ref(RAW_EXTENSION, 'The object after the change; a Status for ERROR.'),
  }, {
    d: 'One event on a watch stream.',
    required: ['type', 'object'],
    extra: { 'x-kubernetes-group-version-kind': inEveryGroupVersion('WatchEvent') },
  }),

  [API_RESOURCE]: obj({
    name: str('Plural resource name, possibly with a subresource (pods/status).'),
    singularName: str('Singular resource name, used by kubectl.'),
    namespaced: bool('Whether objects live in namespaces.'),
    group: str('Preferred group of the resource, when it differs from the list it appears in.'),
    version: str('Preferred version of the resource, when it differs from the list it appears in.'),
    kind: str('Kind of the resource.'),
    verbs: arr(str(), { d: 'Verbs the resource supports.', listType: 'atomic' }),
    shortNames: arr(str(), { d: 'Abbreviations kubectl accepts.', listType: 'atomic' }),
    categories: arr(str(), { d: 'Groupings the resource belongs to, such as "all".', listType: 'atomic' }),
    storageVersionHash: str('Hash of the storage version; changes when the version at rest changes.'),
  }, {
    d: 'One resource served by a group-version.',
    required: ['name', 'singularName', 'namespaced', 'kind', 'verbs'],
  }),
  [API_RESOURCE_LIST]: obj({
    apiVersion: apiVersion(),
    kind: kindField(),
    groupVersion: str('The group-version these resources belong to.'),
    resources: arr(ref(API_RESOURCE), { d: 'The resources.', listType: 'atomic' }),
  }, {
    d: 'The resources of one group-version.',
    required: ['groupVersion', 'resources'],
    extra: { 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'APIResourceList' }] },
  }),
  [API_GROUP]: obj({
    apiVersion: apiVersion(),
    kind: kindField(),
    name: str('Group name.'),
    versions: arr(ref(GROUP_VERSION_FOR_DISCOVERY), { d: 'Versions the group serves.', listType: 'atomic' }),
    preferredVersion: ref(GROUP_VERSION_FOR_DISCOVERY, 'The version clients should use.'),
    serverAddressByClientCIDRs: arr(ref(SERVER_ADDRESS_BY_CLIENT_CIDR), {
      d: 'Which server address to use from which client network.',
      listType: 'atomic',
    }),
  }, {
    d: 'An API group and its versions.',
    required: ['name', 'versions'],
    extra: { 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'APIGroup' }] },
  }),
  [API_GROUP_LIST]: obj({
    apiVersion: apiVersion(),
    kind: kindField(),
    groups: arr(ref(API_GROUP), { d: 'The groups.', listType: 'atomic' }),
  }, {
    d: 'Every API group the server serves under /apis.',
    required: ['groups'],
    extra: { 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'APIGroupList' }] },
  }),
  [API_VERSIONS]: obj({
    apiVersion: apiVersion(),
    kind: kindField(),
    versions: arr(str(), { d: 'Versions served under /api.', listType: 'atomic' }),
    serverAddressByClientCIDRs: arr(ref(SERVER_ADDRESS_BY_CLIENT_CIDR), {
      d: 'Which server address to use from which client network.',
      listType: 'atomic',
    }),
  }, {
    d: 'The versions of the legacy core API under /api.',
    required: ['versions', 'serverAddressByClientCIDRs'],
    extra: { 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'APIVersions' }] },
  }),
  [GROUP_VERSION_FOR_DISCOVERY]: obj({
    groupVersion: str('"group/version", or just the version for the core group.'),
    version: str('The version alone.'),
  }, { d: 'A group-version as discovery shows it.', required: ['groupVersion', 'version'] }),
  [SERVER_ADDRESS_BY_CLIENT_CIDR]: obj({
    clientCIDR: str('Client network the address applies to.'),
    serverAddress: str('Address (host or host:port) of the server for those clients.'),
  }, { d: 'A server address for clients in a given network.', required: ['clientCIDR', 'serverAddress'] }),

  [VERSION_INFO]: obj({
    major: str('Major version.'),
    minor: str('Minor version.'),
    emulationMajor: str('Major version the server emulates, when it differs from its binary.'),
    emulationMinor: str('Minor version the server emulates, when it differs from its binary.'),
    minCompatibilityMajor: str('Oldest major version the server stays compatible with.'),
    minCompatibilityMinor: str('Oldest minor version the server stays compatible with.'),
    gitVersion: str('Full version string.'),
    gitCommit: str('Commit the binary was built from.'),
    gitTreeState: str('Whether the tree was clean or dirty at build time.'),
    buildDate: str('Build timestamp.'),
    goVersion: str('Toolchain version (for skiff, the Node.js version).'),
    compiler: str('Compiler used.'),
    platform: str('OS/architecture.'),
  }, {
    d: 'Build and version information, served at /version.',
    required: ['major', 'minor', 'gitVersion', 'gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform'],
  }),
};
