// CNI errors, each with a stable `code`; callers test with the predicates below.

/** A plugin failed: its JSON error (exit code 1, error on stdout) or an unusable answer. */
export class CniError extends Error {
  readonly code = 'CNI_PLUGIN_ERROR';
  readonly plugin: string;
  readonly command: string;
  /** The error code from the spec (e.g. 7 invalid network config, 11 try again later), if any. */
  readonly cniCode: number | undefined;
  readonly details: string | undefined;
  constructor(plugin: string, command: string, message: string, cniCode?: number, details?: string, options?: ErrorOptions) {
    super(`CNI plugin "${plugin}" failed on ${command}: ${message}${details ? ` (${details})` : ''}`, options);
    this.name = 'CniError';
    this.plugin = plugin;
    this.command = command;
    this.cniCode = cniCode;
    this.details = details;
  }
}

/** Skiff's network configuration (or a cached one) is unusable. */
export class InvalidNetworkConfig extends Error {
  readonly code = 'INVALID_NETWORK_CONFIG';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidNetworkConfig';
  }
}

/** The pod network cannot be removed while pods are still attached to it. */
export class NetworkInUse extends Error {
  readonly code = 'NETWORK_IN_USE';
  readonly ids: string[];
  constructor(network: string, ids: string[], options?: ErrorOptions) {
    super(`Cannot remove network "${network}": still attached: ${ids.join(', ')}`, options);
    this.name = 'NetworkInUse';
    this.ids = ids;
  }
}

// A host command (ip, iptables, nft) failed: one class for every network tool, defined where they run.
export { HostCommandFailed, isHostCommandFailed } from '../runtime/netns/errors.ts';

export function isCniError(err: unknown): err is CniError {
  return err instanceof CniError;
}
export function isInvalidNetworkConfig(err: unknown): err is InvalidNetworkConfig {
  return err instanceof InvalidNetworkConfig;
}
export function isNetworkInUse(err: unknown): err is NetworkInUse {
  return err instanceof NetworkInUse;
}
