// An isolated `skiff up` cluster for end-to-end tests: its own data dir, API port, kubelet port,
// pod subnet, bridge and cgroup root. stop() ends it, removes what the node agent leaves running
// (containers keep running when it stops, as with k3s) and checks the host is as it was.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupNodeNetwork } from '../../src/cli/node-network.ts';
import { nftTables } from '../../src/runtime/netns/nft.ts';
import { cgroupDirs, removeCgroup } from '../../src/runtime/cgroups.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { mountPoints } from '../../src/runtime/mounts/mountinfo.ts';
import { freePort, removeDir, startServer, tempDir } from './harness.ts';
import type { RunningServer } from './harness.ts';

export interface UpClusterOptions {
  label: string;
  nodeName: string;
  cgroupRoot: string;
  bridge: string;
  /** Third octet of the first /24 the pod subnet is drawn from (16 candidates from there). */
  subnetBase: number;
  extraArgs?: string[];
}

export interface UpCluster {
  server: RunningServer;
  dataDir: string;
  /** The --pod-subnet the node agent was given. */
  subnet: string;
  /** The cluster's own --service-cidr (a /24 of 10.43.0.0/16) and its kube-dns address. */
  serviceCIDR: string;
  clusterDNS: string;
  /** Prefix of the cluster's nft tables. */
  nftPrefix: string;
  /** The engine the node agent uses (to look at sandboxes and containers). */
  engine(): Promise<Engine>;
  stop(): Promise<void>;
}

export async function startUpCluster(o: UpClusterOptions): Promise<UpCluster> {
  const dataDir = await tempDir(`e2e-${o.label}`);
  const third = o.subnetBase + (randomBytes(1)[0]! % 16);
  const subnet = `10.42.${third}.0/24`;
  // Each cluster has its own ClusterIPs and nft tables, so clusters on one host never meet; cluster
  // DNS forwards other names to a loopback address where nothing answers, never to a real resolver.
  const serviceCIDR = `10.43.${third}.0/24`;
  const nftPrefix = `skiff-e2e-${randomBytes(3).toString('hex')}`;
  await writeFile(join(dataDir, 'resolv.conf'), 'nameserver 127.0.0.53\n');
  const server = await startServer({
    command: 'up', dataDir,
    extraArgs: [
      '--node-name', o.nodeName, '--kubelet-port', String(await freePort()), '--pod-subnet', subnet, '--bridge', o.bridge, '--cgroup-root', o.cgroupRoot,
      '--service-cidr', serviceCIDR, '--nft-prefix', nftPrefix, '--resolv-conf', join(dataDir, 'resolv.conf'),
      '--ingress-http-port', '0', '--ingress-https-port', '0',
      ...(o.extraArgs ?? []),
    ],
  });
  const engine = (): Promise<Engine> => Engine.open({ dataDir: join(dataDir, 'node', 'engine') });
  return {
    server, dataDir, subnet, serviceCIDR, clusterDNS: `10.43.${third}.10`, nftPrefix, engine,
    async stop() {
      await server.stop();
      await (await engine()).reset();
      await cleanupNodeNetwork({ nftPrefix });
      const tables = (await nftTables('ip')).filter((t) => t.startsWith(`${nftPrefix}-`));
      await removeCgroup(o.cgroupRoot, o.cgroupRoot).catch(() => undefined);
      const left = [
        ...cgroupDirs(o.cgroupRoot).filter((d) => existsSync(d)), ...mountPoints().filter((m) => m.startsWith(dataDir)),
        ...tables.map((t) => `nft table ip ${t}`), ...(existsSync(`/sys/class/net/${o.bridge}`) ? [`bridge ${o.bridge}`] : []),
      ];
      await removeDir(dataDir);
      assert.deepEqual(left, [], 'host state left behind');
    },
  };
}
