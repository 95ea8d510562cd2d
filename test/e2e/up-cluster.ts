// An isolated `skiff up` cluster for end-to-end tests: its own data dir, API port, kubelet port,
// pod subnet, bridge and cgroup root. stop() ends it, removes what the node agent leaves running
// (containers keep running when it stops, as with k3s) and checks the host is as it was.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
  /** The engine the node agent uses (to look at sandboxes and containers). */
  engine(): Promise<Engine>;
  stop(): Promise<void>;
}

export async function startUpCluster(o: UpClusterOptions): Promise<UpCluster> {
  const dataDir = await tempDir(`e2e-${o.label}`);
  const subnet = `10.42.${o.subnetBase + (randomBytes(1)[0]! % 16)}.0/24`;
  const server = await startServer({
    command: 'up', dataDir,
    extraArgs: ['--node-name', o.nodeName, '--kubelet-port', String(await freePort()), '--pod-subnet', subnet, '--bridge', o.bridge, '--cgroup-root', o.cgroupRoot, ...(o.extraArgs ?? [])],
  });
  const engine = (): Promise<Engine> => Engine.open({ dataDir: join(dataDir, 'node', 'engine') });
  return {
    server, dataDir, subnet, engine,
    async stop() {
      await server.stop();
      await (await engine()).reset();
      await removeCgroup(o.cgroupRoot, o.cgroupRoot).catch(() => undefined);
      const left = [...cgroupDirs(o.cgroupRoot).filter((d) => existsSync(d)), ...mountPoints().filter((m) => m.startsWith(dataDir))];
      await removeDir(dataDir);
      assert.deepEqual(left, [], 'host state left behind');
    },
  };
}
