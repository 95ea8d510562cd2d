// `skiff sim-nodes --node-identities`: each simulated node gets a client certificate of its own,
// `system:node:NAME` in `system:nodes`, through the CSR API as a kubelet's would be issued
// (signer kubernetes.io/kube-apiserver-client-kubelet), requested and approved with the
// kubeconfig the command runs with (which must hold the rights to approve: an administrator's).
// The private key never leaves this process.
import { setTimeout as sleep } from 'node:timers/promises';
import { createCsr } from '../apiserver/auth/certs.ts';
import type { Clientset } from '../client/clientset.ts';
import type { ClientConfig } from '../client/kubeconfig.ts';

const SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';

interface Csr {
  metadata: { name?: string };
  status?: { certificate?: string; conditions?: Array<{ type: string; status: string; message?: string }> };
}

/** Credentials for simulated node `nodeName`, signed by the cluster's CA after an approved request. */
export async function simNodeCredentials(cs: Clientset, nodeName: string, timeoutMs = 30_000): Promise<ClientConfig> {
  const { csrPem, keyPem } = await createCsr(`system:node:${nodeName}`, ['system:nodes']);
  const csrs = cs.resource('certificates.k8s.io/v1', 'certificatesigningrequests');
  const created = await csrs.create(undefined, {
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest',
    metadata: { generateName: `sim-node-${nodeName}-` },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName: SIGNER, usages: ['digital signature', 'client auth'] },
  }) as Csr;
  const name = created.metadata.name!;
  try {
    await csrs.update(undefined, {
      ...created,
      status: { conditions: [{ type: 'Approved', status: 'True', reason: 'SimulatedNode', message: 'approved by skiff sim-nodes for its simulated node' }] },
    }, { subresource: 'approval' });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const cur = await csrs.get(undefined, name) as Csr;
      if (cur.status?.certificate) {
        const certPem = Buffer.from(cur.status.certificate, 'base64').toString('utf8');
        const { server, caPem, insecureSkipTLSVerify } = cs.rest.config;
        return { server, ...(caPem ? { caPem } : {}), ...(insecureSkipTLSVerify ? { insecureSkipTLSVerify } : {}), certPem, keyPem, namespace: 'default', userAgent: 'skiff-sim-nodes' };
      }
      const failed = cur.status?.conditions?.find((c) => c.type === 'Failed' || c.type === 'Denied');
      if (failed) throw new Error(`certificate request ${name} for simulated node ${nodeName}: ${failed.type}: ${failed.message ?? ''}`);
      if (Date.now() >= deadline) throw new Error(`certificate request ${name} for simulated node ${nodeName} was not signed within ${timeoutMs / 1000} s (is the csrsigning controller running?)`);
      await sleep(100);
    }
  } finally {
    // The certificate is ours now; the request has no further use (the cleaner would remove it in an hour).
    await csrs.delete(undefined, name).catch(() => undefined);
  }
}
