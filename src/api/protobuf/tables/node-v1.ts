// Wire tables for k8s.io/api node/v1 (release-1.36 field numbers): one row per message, format in ../table.ts.
import type { PackageTable } from '../table.ts';

export const nodeV1: PackageTable = {
  proto: 'k8s.io.api.node.v1',
  alias: 'node',
  messages: {
    Overhead: ['1 podFixed {Quantity}'],
    RuntimeClass: ['1 metadata meta.ObjectMeta', '2 handler *string', '3 overhead *Overhead', '4 scheduling *Scheduling'],
    Scheduling: ['1 nodeSelector {string}', '2 tolerations core.Toleration[]'],
  },
};
