// Shared by the node agent's end-to-end tests: a real `skiff server`, an isolated engine
// (makeEngineEnv) and the Kubelet running in process against the server's kubeconfig, with short
// backoffs. Pods are created with spec.nodeName set (no scheduler here).
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { CoreEvent, Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import { Kubelet } from '../../src/kubelet/kubelet.ts';
import type { KubeletOptions } from '../../src/kubelet/kubelet.ts';
import { makeEngineEnv, type EngineTestEnv } from './engine-helpers.ts';
import { removeDir, startServer, waitUntil, type RunningServer } from './harness.ts';

export interface KubeletEnv {
  server: RunningServer;
  engineEnv: EngineTestEnv;
  cs: Clientset;
  nodeName: string;
  kubeletDir: string;
  kubelet: Kubelet;
  /** Stops the running Kubelet (containers keep running). */
  stopKubelet(): Promise<void>;
  /** Starts a new Kubelet on the same engine and directory. */
  startKubelet(): Promise<Kubelet>;
  cleanup(): Promise<void>;
}

export interface KubeletEnvExtras extends Partial<KubeletOptions> {
  /** The streaming server's client CA, read from the server's data directory. */
  clientCaPemFrom?: (serverDataDir: string) => string;
}

export async function startKubeletEnv(label: string, extras: KubeletEnvExtras = {}): Promise<KubeletEnv> {
  const { clientCaPemFrom, ...extra } = extras;
  const server = await startServer();
  if (clientCaPemFrom) extra.clientCaPem = clientCaPemFrom(server.dataDir);
  const engineEnv = await makeEngineEnv(label);
  const cs = await Clientset.fromKubeconfig(server.kubeconfig, 'kubelet-e2e');
  const csSignal = new AbortController();
  const nodeName = `node-${label}`;
  const kubeletDir = mkdtempSync(`/tmp/skiff-e2e-kubelet-${label}-`);
  let ac = new AbortController();
  let running: Promise<void> = Promise.resolve();
  const log = pino({ level: process.env.KUBELET_TEST_LOG ?? 'warn' });
  const start = async (): Promise<Kubelet> => {
    ac = new AbortController();
    // Each Kubelet gets its own clientset, as a restarted agent process would.
    const kcs = await Clientset.fromKubeconfig(server.kubeconfig, 'skiff-agent');
    const k = new Kubelet({
      clientset: kcs,
      nodeName,
      dataDir: kubeletDir,
      log,
      engine: engineEnv.engine,
      nodeIP: '127.0.0.1',
      crashBackoff: { baseMs: 1000, maxMs: 4000 },
      imageBackoff: { baseMs: 1000, maxMs: 4000 },
      relistIntervalMs: 200,
      leaseIntervalMs: 1000,
      nodeStatusIntervalMs: 1000,
      ...extra,
    });
    running = k.run(ac.signal);
    running.catch(() => undefined);
    await Promise.race([k.waitReady(), running]);
    return k;
  };
  const env: KubeletEnv = {
    server, engineEnv, cs, nodeName, kubeletDir,
    kubelet: await start(),
    async stopKubelet() {
      ac.abort();
      await running.catch(() => undefined);
    },
    async startKubelet() {
      env.kubelet = await start();
      return env.kubelet;
    },
    async cleanup() {
      ac.abort();
      await running.catch(() => undefined);
      csSignal.abort();
      await server.stop();
      await engineEnv.cleanup();
      rmSync(kubeletDir, { recursive: true, force: true });
      await removeDir(server.dataDir);
    },
  };
  return env;
}

export function podsClient(cs: Clientset) {
  return cs.resource<Pod>('v1', 'pods');
}

export function busyboxPod(name: string, nodeName: string, spec: Partial<NonNullable<Pod['spec']>> = {}, sh = 'sleep 3600'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName,
      terminationGracePeriodSeconds: 2,
      containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', sh] }],
      ...spec,
    },
  };
}

export async function waitForPod(cs: Clientset, name: string, cond: (p: Pod) => boolean, timeoutMs = 30_000, what = 'pod condition'): Promise<Pod> {
  let last: Pod | undefined;
  try {
    await waitUntil(async () => {
      last = await podsClient(cs).get('default', name).catch(() => undefined);
      return last !== undefined && cond(last);
    }, timeoutMs, `${what} of pod ${name}`);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last?.status)}`);
  }
  return last!;
}

export async function waitGone(cs: Clientset, name: string, timeoutMs = 30_000): Promise<void> {
  await waitUntil(async () => {
    try {
      await podsClient(cs).get('default', name);
      return false;
    } catch {
      return true;
    }
  }, timeoutMs, `pod ${name} to be deleted`);
}

export async function podEvents(cs: Clientset, name: string): Promise<CoreEvent[]> {
  const list = await cs.resource<CoreEvent>('v1', 'events').list('default', { fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

/** The engine container id of a pod's container, from its status. */
export function containerIdOf(pod: Pod, name: string): string {
  const s = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((c) => c.name === name);
  if (!s?.containerID) throw new Error(`container ${name} has no containerID: ${JSON.stringify(pod.status)}`);
  return s.containerID.replace('skiff://', '');
}

export const running = (name = 'main') => (p: Pod): boolean =>
  p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).some((c) => c.name === name && c.state?.running !== undefined);

export { join };
