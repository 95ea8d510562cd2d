export { PodNetwork, toStatus } from './pod-network.ts';
export type { PodNetworkOptions, PodNetworkRequest, PodNetworkStatus } from './pod-network.ts';
export { skiffNetworkConfigList, parseIpv4Cidr, formatIpv4, CNI_VERSION, DEFAULT_BRIDGE, DEFAULT_NETWORK_NAME } from './config-list.ts';
export type { SkiffNetworkOptions, Ipv4Cidr } from './config-list.ts';
export { addNetworkList, delNetworkList, checkNetworkList, pluginStdin, parseResult } from './network-list.ts';
export { PluginExecutor, DEFAULT_PLUGIN_DIRS, pluginChannel } from './plugin-exec.ts';
export type { PluginRunner, PluginExecutorOptions, PluginRunEvent } from './plugin-exec.ts';
export { ResultCache } from './result-cache.ts';
export { FakePluginRunner } from './fake-plugin-runner.ts';
export type { FakeAnswer, RecordedCall } from './fake-plugin-runner.ts';
export type { CacheEntry } from './result-cache.ts';
export { HostNetwork } from './host-network.ts';
export { readLeases } from './host-local-leases.ts';
export type { Lease } from './host-local-leases.ts';
export {
  CniError,
  InvalidNetworkConfig,
  NetworkInUse,
  HostCommandFailed,
  isCniError,
  isInvalidNetworkConfig,
  isNetworkInUse,
  isHostCommandFailed,
} from './errors.ts';
export type {
  CniCommand,
  CniDns,
  CniInterface,
  CniIpConfig,
  CniResult,
  CniRoute,
  NetworkConfigList,
  PluginConfig,
  PortMapping,
  RuntimeConf,
} from './types.ts';
