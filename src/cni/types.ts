// Shapes of the CNI 1.0 protocol (https://github.com/containernetworking/cni/blob/main/SPEC.md),
// as plain JSON types.

/** One plugin's entry in a network configuration list. Plugin-specific keys pass through. */
export interface PluginConfig {
  type: string;
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

export interface NetworkConfigList {
  cniVersion: string;
  name: string;
  disableCheck?: boolean;
  plugins: PluginConfig[];
}

export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}

export interface CniIpConfig {
  /** CIDR notation, e.g. 10.42.0.5/24. */
  address: string;
  gateway?: string;
  /** Index into `interfaces`. */
  interface?: number;
}

export interface CniRoute {
  dst: string;
  gw?: string;
}

export interface CniDns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIpConfig[];
  routes?: CniRoute[];
  dns?: CniDns;
}

/** Element of the `portMappings` capability, as portmap reads it. */
export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol?: 'tcp' | 'udp' | 'sctp';
  hostIP?: string;
}

/** What the runtime knows about one attachment (libcni's RuntimeConf). */
export interface RuntimeConf {
  containerId: string;
  /** Path of the network namespace; empty when it is already gone (DEL only). */
  netns: string;
  ifName: string;
  /** CNI_ARGS pairs, e.g. K8S_POD_NAMESPACE. */
  args?: Record<string, string>;
  /** Capability name → value, injected as runtimeConfig into plugins that declare it. */
  capabilityArgs?: Record<string, unknown>;
}

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';
