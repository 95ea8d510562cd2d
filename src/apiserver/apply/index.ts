// Server-side apply and managedFields tracking.
export { applyServerSide, type ApplyOptions } from './apply.ts';
export { updateManagedFields, type UpdateOptions } from './update.ts';
export { fieldSetOf } from './field-set-of.ts';
export { FieldSet } from './field-set.ts';
export { fieldSetToFieldsV1, fieldsV1ToFieldSet, type FieldsV1 } from './fields-v1.ts';
export {
  checkManagedFieldsShape, decodeManagedFields, encodeManagedFields, isResetManagedFields, managedFieldsErrors, managerId,
  type ManagerEntry, type Managers,
} from './managed-fields.ts';
export {
  describePath, fieldElement, keyElement, parsePathElement, serializePathElement, valueElement, indexElement,
  type Path, type PathElement,
} from './path-element.ts';
export { defaultLookup, type SchemaLookup } from './schema-node.ts';
export { defaultResetFields, STRIPPED_FIELDS } from './special-fields.ts';
