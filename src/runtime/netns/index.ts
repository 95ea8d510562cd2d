export { NamespacePinner, NAMESPACE_KINDS } from './namespace-pinner.ts';
export type { NamespaceKind, NamespacePinnerOptions, PinnedEntry, PinnedNamespaces } from './namespace-pinner.ts';
export {
  InvalidNamespaceId,
  NamespaceAlreadyPinned,
  NamespacePinFailed,
  isInvalidNamespaceId,
  isNamespaceAlreadyPinned,
  isNamespacePinFailed,
} from './errors.ts';
