// RBAC benchmark (issue 11): creates/s of small ConfigMaps at 64 clients as a user bound to `edit`
// by a RoleBinding in the namespace, against the same as system:masters (allowed before RBAC is
// consulted), on one server, alternated so drift on the shared cores hits both alike. Authorization
// may cost at most 10%. system:masters is also exempt from the in-flight limit, as upstream.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, startServer, tempDir } from '../test/e2e/harness.ts';
import { clientFromKubeconfig } from './http-client.ts';

const MASTER_TOKEN = 'bench-rbac-master-0123456789';
const EDITOR_TOKEN = 'bench-rbac-editor-0123456789';
const WRK_SCRIPT = join(import.meta.dirname, 'wrk', 'create-configmaps.lua');

function line(name: string, value: number, unit: string): void {
  console.log(`${name}: ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
}

function wrk(url: string, token: string, prefix: string, seconds: number): number {
  const out = execFileSync('wrk', ['-t1', '-c64', `-d${seconds}s`, '-s', WRK_SCRIPT, url], {
    env: { ...process.env, SKIFF_TOKEN: token, SKIFF_NS: 'bench', SKIFF_PREFIX: prefix }, encoding: 'utf8',
  });
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  if (errors > 0) throw new Error(`${errors} failed creates as ${prefix}:\n${out}`);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
}

export async function benchRbac(): Promise<void> {
  const dir = await tempDir('bench-rbac');
  writeFileSync(join(dir, 'tokens.csv'), `${MASTER_TOKEN},bench-admin,bench-admin-uid,"system:masters"\n${EDITOR_TOKEN},bench-editor,bench-editor-uid\n`);
  const srv = await startServer({ dataDir: join(dir, 'server'), logLevel: 'error', extraArgs: ['--token-file', join(dir, 'tokens.csv'), '--no-scheduler'] });
  const c = clientFromKubeconfig(srv.kubeconfig, 16);
  try {
    const must = async (path: string, body: unknown): Promise<void> => {
      const r = await c.req('POST', path, body);
      if (r.status >= 300) throw new Error(`POST ${path}: ${r.status} ${r.body.slice(0, 200)}`);
    };
    await must('/api/v1/namespaces', { metadata: { name: 'bench' } });
    await must('/apis/rbac.authorization.k8s.io/v1/namespaces/bench/rolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'bench-editor' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bench-editor' }],
    });
    // `edit` holds its rules once the aggregation controller has filled it in.
    for (let t0 = Date.now(); ; await new Promise((r) => setTimeout(r, 200))) {
      const r = await c.req('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/edit');
      if (r.status === 200 && ((JSON.parse(r.body) as { rules?: unknown[] }).rules?.length ?? 0) > 0) break;
      if (Date.now() - t0 > 30_000) throw new Error('the edit ClusterRole was not aggregated in 30 s');
    }
    // Warm up both paths (JIT, connections), then alternate.
    wrk(srv.url, MASTER_TOKEN, 'warm-m', 2);
    wrk(srv.url, EDITOR_TOKEN, 'warm-e', 2);
    const rounds = 3;
    let masters = 0;
    let editor = 0;
    for (let i = 0; i < rounds; i++) {
      masters += wrk(srv.url, MASTER_TOKEN, `m${i}`, 5) / rounds;
      editor += wrk(srv.url, EDITOR_TOKEN, `e${i}`, 5) / rounds;
    }
    line('create_configmaps_64_clients_system_masters', masters, 'creates/s');
    line('create_configmaps_64_clients_rbac_edit', editor, 'creates/s');
    line('create_rbac_edit_vs_system_masters', editor / masters, 'ratio');
  } finally {
    c.close();
    await srv.stop();
    await removeDir(dir);
  }
}
