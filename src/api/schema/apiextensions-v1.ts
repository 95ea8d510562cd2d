// apiextensions.k8s.io/v1: CustomResourceDefinition. Mirrors
// staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1/types.go and types_jsonschema.go.
import type { Definitions, GVK, Schema } from './dsl.ts';
import { arr, bool, int, int64, kind, listKind, mapOf, num, obj, ref, str, time } from './dsl.ts';

const P = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
const gvk = (k: string): GVK[] => [{ group: 'apiextensions.k8s.io', version: 'v1', kind: k }];
const props = `${P}.JSONSchemaProps`;
// Any JSON value: no type, so typed decoding lets every value through.
const json = (d: string): Schema => ({ description: d, 'x-kubernetes-preserve-unknown-fields': true });
const strList = (d: string): Schema => arr(str(), { d, listType: 'atomic' });

export const definitions: Definitions = {
  [`${P}.CustomResourceDefinition`]: kind(gvk('CustomResourceDefinition'), {
    spec: ref(`${P}.CustomResourceDefinitionSpec`, 'The resource this definition adds.'),
    status: ref(`${P}.CustomResourceDefinitionStatus`, 'What the server made of the definition.'),
  }, { d: 'Adds a resource to the API: names, versions and their schemas.', required: ['spec'] }),
  [`${P}.CustomResourceDefinitionList`]: listKind(gvk('CustomResourceDefinitionList'), `${P}.CustomResourceDefinition`),
  [`${P}.CustomResourceDefinitionSpec`]: obj({
    group: str('API group of the resource (must contain a dot).'),
    names: ref(`${P}.CustomResourceDefinitionNames`, 'Plural, singular, kind and other names of the resource.'),
    scope: str('Namespaced or Cluster.'),
    versions: arr(ref(`${P}.CustomResourceDefinitionVersion`), { d: 'The versions served; exactly one is stored.', listType: 'atomic' }),
    conversion: ref(`${P}.CustomResourceConversion`, 'How objects convert between versions.'),
    preserveUnknownFields: bool('Deprecated: must be false in v1.'),
  }, { d: 'What a CustomResourceDefinition defines.', required: ['group', 'names', 'scope', 'versions'] }),
  [`${P}.CustomResourceConversion`]: obj({
    strategy: str('None (apiVersion is rewritten) or Webhook.'),
    webhook: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: 'Webhook conversion settings (not served by skiff).' },
  }, { d: 'How objects convert between versions.', required: ['strategy'] }),
  [`${P}.CustomResourceDefinitionNames`]: obj({
    plural: str('Plural lower-case name: the URL path segment.'),
    singular: str('Singular lower-case name.'),
    shortNames: strList('Short names for the CLI.'),
    kind: str('CamelCase kind of objects.'),
    listKind: str('Kind of lists; defaults to kind + List.'),
    categories: strList('Groups of resources this one belongs to (e.g. all).'),
  }, { d: 'Names of a custom resource.', required: ['plural', 'kind'] }),
  [`${P}.CustomResourceDefinitionVersion`]: obj({
    name: str('The version name (v1, v1beta1, ...).'),
    served: bool('Whether the version is served.'),
    storage: bool('Whether objects are stored in this version; exactly one is.'),
    deprecated: bool('Whether the version is deprecated.'),
    deprecationWarning: str('Warning returned to clients of a deprecated version.'),
    schema: ref(`${P}.CustomResourceValidation`, 'The schema of this version.'),
    subresources: ref(`${P}.CustomResourceSubresources`, 'Status and scale subresources.'),
    additionalPrinterColumns: arr(ref(`${P}.CustomResourceColumnDefinition`), { d: 'Columns of kubectl get.', listType: 'atomic' }),
    selectableFields: arr(obj({ jsonPath: str('Path of the field.') }, { required: ['jsonPath'] }), { d: 'Fields usable in field selectors.', listType: 'atomic' }),
  }, { d: 'One version of a custom resource.', required: ['name', 'served', 'storage'] }),
  [`${P}.CustomResourceValidation`]: obj({
    openAPIV3Schema: ref(props, 'OpenAPI v3 schema of the objects.'),
  }, { d: 'The validation schema of a version.' }),
  [`${P}.CustomResourceSubresources`]: obj({
    status: { type: 'object', description: 'Enables the status subresource.' },
    scale: ref(`${P}.CustomResourceSubresourceScale`, 'Enables the scale subresource.'),
  }, { d: 'Subresources of a custom resource.' }),
  [`${P}.CustomResourceSubresourceScale`]: obj({
    specReplicasPath: str('JSON path of the desired replicas (under .spec).'),
    statusReplicasPath: str('JSON path of the observed replicas (under .status).'),
    labelSelectorPath: str('JSON path of the label selector string (under .status or .spec).'),
  }, { d: 'The scale subresource of a custom resource.', required: ['specReplicasPath', 'statusReplicasPath'] }),
  [`${P}.CustomResourceColumnDefinition`]: obj({
    name: str('Column header.'),
    type: str('OpenAPI type of the cells.'),
    format: str('OpenAPI format of the cells.'),
    description: str('What the column shows.'),
    priority: int('0: always shown; above: only with -o wide.'),
    jsonPath: str('JSON path of the value, evaluated against each object.'),
  }, { d: 'A column of kubectl get.', required: ['name', 'type', 'jsonPath'] }),
  [`${P}.ValidationRule`]: obj({
    rule: str('CEL expression; self is the value, oldSelf the previous one.'),
    message: str('Message when the rule fails.'),
    messageExpression: str('CEL expression giving the message.'),
    reason: str('Reason of the failure: FieldValueInvalid, FieldValueForbidden, FieldValueRequired or FieldValueDuplicate.'),
    fieldPath: str('Path of the field the failure is reported at.'),
    optionalOldSelf: bool('Evaluate the transition rule when there is no old value.'),
  }, { d: 'A CEL validation rule.', required: ['rule'] }),
  [props]: obj({
    id: str(), $schema: str(), $ref: str(), description: str(), type: str(), format: str(), title: str(),
    default: json('Default value.'),
    maximum: num(), exclusiveMaximum: bool(), minimum: num(), exclusiveMinimum: bool(),
    maxLength: int64(), minLength: int64(), pattern: str(), maxItems: int64(), minItems: int64(), uniqueItems: bool(),
    multipleOf: num(), enum: arr(json('An allowed value.'), { listType: 'atomic' }), maxProperties: int64(), minProperties: int64(),
    required: strList('Required properties.'),
    items: json('Schema of the items.'),
    allOf: arr(ref(props), { listType: 'atomic' }), oneOf: arr(ref(props), { listType: 'atomic' }), anyOf: arr(ref(props), { listType: 'atomic' }),
    not: ref(props),
    properties: mapOf(ref(props)),
    additionalProperties: json('Schema of other properties, or a boolean.'),
    patternProperties: mapOf(ref(props)),
    dependencies: json('Property dependencies.'),
    additionalItems: json('Schema of further items, or a boolean.'),
    definitions: mapOf(ref(props)),
    externalDocs: obj({ description: str(), url: str() }),
    example: json('An example value.'),
    nullable: bool(),
    'x-kubernetes-preserve-unknown-fields': bool('Keep fields the schema does not name.'),
    'x-kubernetes-embedded-resource': bool('The value is a Kubernetes object (apiVersion, kind, metadata).'),
    'x-kubernetes-int-or-string': bool('The value is an integer or a string.'),
    'x-kubernetes-list-map-keys': strList('Keys of a map list.'),
    'x-kubernetes-list-type': str('atomic, set or map.'),
    'x-kubernetes-map-type': str('atomic or granular.'),
    'x-kubernetes-validations': arr(ref(`${P}.ValidationRule`), { mergeKey: 'rule', listType: 'map', mapKeys: ['rule'] }),
  }, { d: 'A JSON-Schema (OpenAPI v3) schema.' }),
  [`${P}.CustomResourceDefinitionStatus`]: obj({
    conditions: arr(ref(`${P}.CustomResourceDefinitionCondition`), { d: 'Conditions of the definition.', listType: 'map', mapKeys: ['type'] }),
    acceptedNames: ref(`${P}.CustomResourceDefinitionNames`, 'The names actually served.'),
    storedVersions: strList('Versions objects were ever stored in.'),
  }, { d: 'What the server made of a CustomResourceDefinition.' }),
  [`${P}.CustomResourceDefinitionCondition`]: obj({
    type: str('Established, NamesAccepted, NonStructuralSchema, Terminating or KubernetesAPIApprovalPolicyConformant.'),
    status: str('True, False or Unknown.'),
    lastTransitionTime: time('When the status last changed.'),
    reason: str('One-word reason.'),
    message: str('Human-readable details.'),
  }, { d: 'A condition of a CustomResourceDefinition.', required: ['type', 'status'] }),
};
