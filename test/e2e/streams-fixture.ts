// The fixture the stream tests share: a real `skiff server`, an isolated engine with one pod
// sandbox running two busybox containers, a KubeletServer in this process serving them through
// a small PodStreamBackend over what the fixture started, and the matching Node and Pod objects
// in the API (the Node's InternalIP and kubelet port point at that KubeletServer).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { Clientset } from '../../src/client/clientset.ts';
import type { Node, Pod } from '../../src/api/types/core-v1.ts';
import {
  ContainerNotAvailableError, ContainerNotFoundError, PodNotFoundError, type PodStreamBackend, type ResolvedContainer,
} from '../../src/kubelet/server/backend.ts';
import { KubeletServer } from '../../src/kubelet/server/server.ts';
import { selfSignedServingCert } from '../../src/pki/serving-cert.ts';
import { makeEngineEnv, type EngineTestEnv } from './engine-helpers.ts';
import { removeDir, startServer, waitUntil, type RunningServer } from './harness.ts';

export const NODE_NAME = 'stream-node';
export const POD_NAME = 'web';
export const POD_UID = '6c0b6f36-5d1f-4a53-9f3e-000000000001';

export interface StreamFixture {
  server: RunningServer;
  t: EngineTestEnv;
  kubelet: KubeletServer;
  kubeletPort: number;
  sandboxId: string;
  /** Engine container ids by pod container name. */
  ids: Record<string, string>;
  clients: Clientset;
  close(): Promise<void>;
}

// `app` prints known lines (stdout, then one on stderr) and serves /www on :8080;
// `ticker` prints a line every 200 ms until stopped; `shell` (below) waits for a terminal.
const APP_SCRIPT = [
  'mkdir -p /www && echo hello-from-pod > /www/index.html',
  'for i in 1 2 3 4 5; do echo line $i; sleep 0.05; done',
  'echo err-line >&2',
  'exec httpd -f -p 8080 -h /www',
].join('; ');
const TICKER_SCRIPT = 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done';

export async function startStreamFixture(label: string): Promise<StreamFixture> {
  const t = await makeEngineEnv(label);
  const stopSignal = new AbortController();
  let server: RunningServer | undefined;
  let kubelet: KubeletServer | undefined;
  let kubeletRun: Promise<void> | undefined;
  try {
    server = await startServer();
    const sandboxId = `${label}-pod`;
    const sb = await t.engine.sandboxes.createSandbox({ id: sandboxId, name: POD_NAME, hostname: POD_NAME, network: 'pod' });
    t.sandboxIds.add(sb.id);
    const ids: Record<string, string> = {};
    ids['app'] = (await t.engine.run({ image: 'busybox', name: `${label}-app`, sandboxId, args: ['sh', '-c', APP_SCRIPT] })).id;
    ids['ticker'] = (await t.engine.run({ image: 'busybox', name: `${label}-ticker`, sandboxId, args: ['sh', '-c', TICKER_SCRIPT] })).id;
    // `shell` is an interactive sh on a terminal with stdin kept open (a pod's `stdin: true, tty: true`).
    const image = await t.engine.images.inspectImage('busybox');
    const lowerDirs = (await t.engine.images.rootfsLayers(image.digest)).reverse();
    ids['shell'] = await t.engine.sandboxes.addContainer(sandboxId, {
      name: `${label}-shell`, rootfs: { lowerDirs }, args: ['sh'], cwd: '/', user: { uid: 0, gid: 0 },
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'TERM=xterm'],
      tty: true, stdin: true, noNewPrivileges: true, labels: {},
    });
    await t.engine.containers.start(ids['shell']);

    const engine = t.engine;
    const backend: PodStreamBackend = {
      async resolveContainer(namespace, pod, container, opts): Promise<ResolvedContainer> {
        if (namespace !== 'default' || pod !== POD_NAME) throw new PodNotFoundError(namespace, pod);
        const name = container ?? 'app';
        const id = ids[name];
        if (!id) throw new ContainerNotFoundError(pod, name);
        if (opts?.previous) throw new ContainerNotAvailableError(`previous terminated container "${name}" in pod "${pod}" not found`);
        const st = await engine.containers.state(id);
        const interactive = name === 'shell';
        return { containerId: id, podUid: POD_UID, running: st.status === 'running', tty: interactive, stdin: interactive };
      },
      async podNetns(namespace, pod): Promise<string> {
        if (namespace !== 'default' || pod !== POD_NAME) throw new PodNotFoundError(namespace, pod);
        return engine.pinner.pathFor('net', sandboxId);
      },
    };
    const caPem = await readFile(join(server.dataDir, 'pki', 'ca.crt'), 'utf8');
    kubelet = new KubeletServer({
      host: '127.0.0.1', port: 0, tls: await selfSignedServingCert('127.0.0.1'), clientCaPem: caPem, backend, engine,
      log: pino({ level: 'silent' }),
    });
    const { port: kubeletPort } = await kubelet.listen();
    kubeletRun = kubelet.run(stopSignal.signal);

    const clients = await Clientset.fromKubeconfig(server.kubeconfig, 'stream-e2e');
    const nodes = clients.kind<Node>('v1', 'Node');
    await nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE_NAME } });
    // A merge patch: the server's controllers may update the new Node meanwhile (node IPAM).
    await nodes.patch(undefined, NODE_NAME, 'merge', {
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: NODE_NAME }], daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } } },
    }, { subresource: 'status' });
    const pods = clients.kind<Pod>('v1', 'Pod');
    await pods.create('default', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: POD_NAME, namespace: 'default' },
      spec: {
        nodeName: NODE_NAME,
        containers: [{ name: 'app', image: 'busybox' }, { name: 'ticker', image: 'busybox' }, { name: 'shell', image: 'busybox', stdin: true, tty: true }],
      },
    });
    // What the node agent would report; kubectl port-forward insists on a Running pod.
    await pods.patch('default', POD_NAME, 'merge', { status: { phase: 'Running', podIP: sb.ip ?? '', hostIP: '127.0.0.1' } }, { subresource: 'status' });
    // The app has printed its lines and httpd listens once the stderr line is in the log.
    await waitUntil(async () => {
      for await (const l of engine.containers.readLogs(ids['app']!)) if (l.content === 'err-line') return true;
      return false;
    }, 15_000, 'the app container to start');
    const srv = server;
    const kl = kubelet;
    const run = kubeletRun;
    return {
      server: srv, t, kubelet: kl, kubeletPort, sandboxId, ids, clients,
      async close(): Promise<void> {
        stopSignal.abort();
        await run;
        await srv.stop();
        await t.cleanup();
        await removeDir(srv.dataDir);
      },
    };
  } catch (err) {
    stopSignal.abort();
    await kubeletRun?.catch(() => undefined);
    await server?.stop();
    await t.cleanup().catch(() => undefined);
    if (server) await removeDir(server.dataDir);
    throw err;
  }
}
