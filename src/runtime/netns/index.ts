export { NamespacePinner, NAMESPACE_KINDS } from './namespace-pinner.ts';
export type { NamespaceKind, NamespacePinnerOptions, PinnedEntry, PinnedNamespaces } from './namespace-pinner.ts';
export {
  InvalidNamespaceId,
  NamespaceAlreadyPinned,
  NamespacePinFailed,
  isInvalidNamespaceId,
  isNamespaceAlreadyPinned,
  isNamespacePinFailed,
  HostCommandFailed,
  isHostCommandFailed,
} from './errors.ts';
export { nft, nftApply, nftDeleteTable, nftTables } from './nft.ts';
export type { NftFamily } from './nft.ts';
