// What exists at first start: the system namespaces (as kube-apiserver's
// pkg/controlplane/controller/systemnamespaces creates them).
import { isAlreadyExists } from '../api/errors.ts';
import type { Registry } from './registry/registry.ts';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function bootstrap(registries: Map<string, Registry>): Promise<void> {
  const namespaces = registries.get('/namespaces')!;
  const ctx = { user: { name: 'system:apiserver', groups: ['system:masters'] }, manager: 'kube-apiserver', apiVersion: 'v1', dryRun: false, now: new Date() };
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await namespaces.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, ctx);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
}
