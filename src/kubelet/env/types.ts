// Inputs shared by environment resolution and the volume manager.
import type { ConfigMap, ResourceList, Secret, Service } from '../../api/types/core-v1.ts';

/** Where ConfigMaps and Secrets come from (an informer cache or the API). Undefined = not found. */
export interface ObjectSources {
  getConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  getSecret(namespace: string, name: string): Promise<Secret | undefined>;
  /**
   * The Services whose link variables a pod of `namespace` gets (its namespace's when
   * `enableServiceLinks`, and default/kubernetes); absent: no service variables.
   */
  linkedServices?(namespace: string, enableServiceLinks: boolean): Promise<Service[]>;
}

/** What the node agent knows about its node, for the downward API. */
export interface NodeFacts {
  nodeName: string;
  /** The node's IPs, primary first (status.hostIP / status.hostIPs). */
  hostIPs: string[];
  /** node.status.allocatable: the default for limits a container does not set (resourceFieldRef). */
  allocatable: ResourceList;
}
