// Plain JSON shapes of networking.k8s.io/v1 NetworkPolicy (k8s.io/api/networking/v1/types.go).
// The API server defaults policyTypes and each port's protocol (src/api/defaults/service.ts);
// readers still treat them as optional, as objects from elsewhere may lack them.
import type { KubeObject, ObjectMeta } from '../meta.ts';
import type { LabelSelector } from './core-v1.ts';

export type NetworkPolicyType = 'Ingress' | 'Egress';
export type NetworkPolicyProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface IPBlock {
  /** e.g. 192.168.0.0/16 */
  cidr: string;
  /** Ranges inside cidr that are not matched. */
  except?: string[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export interface NetworkPolicyPort {
  protocol?: NetworkPolicyProtocol;
  /** A number, or the name of a container port; unset means every port. */
  port?: number | string;
  /** With a numbered port: the range port..endPort. */
  endPort?: number;
}

export interface NetworkPolicyIngressRule {
  ports?: NetworkPolicyPort[];
  from?: NetworkPolicyPeer[];
}

export interface NetworkPolicyEgressRule {
  ports?: NetworkPolicyPort[];
  to?: NetworkPolicyPeer[];
}

export interface NetworkPolicySpec {
  podSelector?: LabelSelector;
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
  policyTypes?: NetworkPolicyType[];
}

export interface NetworkPolicy extends KubeObject {
  metadata: ObjectMeta;
  spec?: NetworkPolicySpec;
}
