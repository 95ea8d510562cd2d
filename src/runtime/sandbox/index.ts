export { SandboxManager, SANDBOX_LABEL, ROLE_LABEL } from './sandbox-manager.ts';
export type { RemoveSandboxOptions, SandboxContainerDescription, SandboxManagerOptions, SandboxRequest, SandboxStatus } from './sandbox-manager.ts';
export type { SandboxNetworkMode } from './sandbox-record.ts';
export { InvalidSandbox, SandboxAlreadyExists, SandboxNotFound, isInvalidSandbox, isSandboxAlreadyExists, isSandboxNotFound } from './errors.ts';
