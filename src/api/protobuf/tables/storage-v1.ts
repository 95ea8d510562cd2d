// Wire tables for k8s.io/api storage/v1 (release-1.36 field numbers): one row per message, format in ../table.ts.
import type { PackageTable } from '../table.ts';

export const storageV1: PackageTable = {
  proto: 'k8s.io.api.storage.v1',
  alias: 'storage',
  messages: {
    StorageClass: [
      '1 metadata meta.ObjectMeta', '2 provisioner *string', '3 parameters {string}', '4 reclaimPolicy *string',
      '5 mountOptions string[]', '6 allowVolumeExpansion *bool', '7 volumeBindingMode *string',
      '8 allowedTopologies core.TopologySelectorTerm[]',
    ],
  },
};
