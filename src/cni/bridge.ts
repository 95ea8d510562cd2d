// The pods' bridge, made before the first pod so that node services (cluster DNS) can bind the
// gateway address. The CNI bridge plugin finds it with that address and uses it unchanged
// (plugins/main/bridge: ensureBridge / ensureAddr).
import { HostCommandFailed } from './errors.ts';
import { runCommand } from '../runtime/netns/run-command.ts';

/** Creates `name` as a bridge holding `address` (e.g. 10.42.3.1/24) and brings it up; idempotent. */
export async function ensureBridge(name: string, address: string): Promise<void> {
  const add = await runCommand('ip', ['link', 'add', name, 'type', 'bridge']);
  if (add.code !== 0 && !/File exists/.test(add.stderr)) throw new HostCommandFailed(`Cannot create bridge "${name}": ${add.stderr.trim()}`);
  const addr = await runCommand('ip', ['addr', 'add', address, 'dev', name]);
  if (addr.code !== 0 && !/File exists|already assigned/.test(addr.stderr)) throw new HostCommandFailed(`Cannot add ${address} to bridge "${name}": ${addr.stderr.trim()}`);
  const up = await runCommand('ip', ['link', 'set', name, 'up']);
  if (up.code !== 0) throw new HostCommandFailed(`Cannot bring bridge "${name}" up: ${up.stderr.trim()}`);
}
