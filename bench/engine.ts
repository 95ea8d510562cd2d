// Engine start latency, side by side on the same busybox rootfs: bare `crun run /bin/true` (the
// floor, through the hybrid-cgroup wrapper), `skiff run --rm busybox true` as a CLI process, the
// same through the Engine API, `podman run --rm --network none` (runc, cgroupfs, file events, as
// shared/HOST-NOTES.md says), and a pod sandbox with CNI plus one container. Prints medians as
// `name: value ms` and ratios to the floor.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../src/runtime/engine.ts';
import { findBinary } from '../src/runtime/find-binary.ts';
import { readHostHardLimits } from '../src/runtime/host-limits.ts';
import { generateOciSpec } from '../src/runtime/oci-spec.ts';
import { removeCgroup } from '../src/runtime/cgroups.ts';
import { mountPoints } from '../src/runtime/mounts/mountinfo.ts';

const ROUNDS = Number(process.env.BENCH_ENGINE_ROUNDS ?? 15);
// The command as users run it: bin/skiff.js (compiled dist/, built by scripts/setup.sh).
const CLI_ENTRY = join(import.meta.dirname, '..', 'bin', 'skiff.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function timeAsync(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(0) : reject(new Error(`${file} ${args.join(' ')}: exit ${code}: ${err.trim()}`))));
  });
}

/** Median over `rounds` after one warm-up; `fn` may return its own figure (a part of its work). */
async function sample(rounds: number, fn: () => Promise<number | void>): Promise<number> {
  await fn(); // warm-up: page cache, first-use setup
  const xs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const own = await fn();
    xs.push(typeof own === 'number' ? own : performance.now() - t0);
  }
  return median(xs);
}

/**
 * The engine's floor for one pod: a sandbox (pinned namespaces, CNI bridge, pause) plus one started
 * container, and its teardown; medians over `rounds` (the first round warms up).
 */
export async function measurePodFloor(engine: Engine, rounds: number): Promise<{ startMs: number; teardownMs: number; startCpuMs: number }> {
  let k = 0;
  const teardown: number[] = [];
  const cpu: number[] = [];
  const startMs = await sample(rounds, async () => {
    const id = `bench-${randomBytes(4).toString('hex')}-${k++}`;
    const c0 = busyCpuMs();
    const t0 = performance.now();
    await engine.sandboxes.createSandbox({ id, name: id, network: 'pod' });
    await engine.run({ image: 'busybox', args: ['sleep', '60'], sandboxId: id });
    const dt = performance.now() - t0;
    cpu.push(busyCpuMs() - c0);
    teardown.push(await timeAsync(() => engine.sandboxes.removeSandbox(id, { graceSeconds: 0 })));
    return dt;
  });
  const measured = cpu.slice(1);
  return { startMs, teardownMs: median(teardown.slice(1)), startCpuMs: measured.reduce((a, b) => a + b, 0) / measured.length };
}

/**
 * CPU time the whole machine has spent busy (all cores, every process, kernel included), in ms,
 * from /proc/stat: what a pod's start costs in CPU, whichever process does the work.
 */
export function busyCpuMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return ((user + nice + system + irq + softirq + steal) * 1000) / 100; // USER_HZ is 100 on Linux
}

/** podman configured as HOST-NOTES says, on its own storage, with the same rootfs imported. */
async function podmanSetup(root: string, layer: string): Promise<{ args: string[]; image: string } | string> {
  const podman = findBinary('podman');
  if (!podman) return 'podman is not installed (apt-get install -y podman)';
  const args = [
    '--root', join(root, 'podman', 'root'), '--runroot', join(root, 'podman', 'run'),
    '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--storage-driver', 'overlay',
  ];
  const tar = spawnSync('tar', ['-C', layer, '-cf', join(root, 'busybox.tar'), '.']);
  if (tar.status !== 0) return `tar failed: ${tar.stderr.toString()}`;
  const imp = spawnSync(podman, [...args, 'import', join(root, 'busybox.tar'), 'localhost/skiff-busybox:latest']);
  if (imp.status !== 0) return `podman import failed: ${imp.stderr.toString().trim().split('\n').pop()}`;
  return { args, image: 'localhost/skiff-busybox:latest' };
}

export async function benchEngine(): Promise<void> {
  const root = mkdtempSync('/tmp/skiff-bench-engine-');
  const hex = randomBytes(3).toString('hex');
  const cgroupRoot = `/skiff-bench-${hex}`;
  const dataDir = join(root, 'data');
  const engine = await Engine.open({ dataDir, cgroupRoot, bridge: `skifft${hex}`, subnet: `10.42.${240 + (randomBytes(1)[0]! % 16)}.0/24` });
  const results: Array<[string, number]> = [];
  const print = (name: string, ms: number): void => {
    results.push([name, ms]);
    console.log(`${name}: ${ms.toFixed(1)} ms`);
  };
  try {
    // Base images and the busybox layer every contender starts from.
    await engine.run({ image: 'busybox', args: ['true'], start: false }).then((r) => engine.removeContainer(r.id, { force: true }));
    const [layer] = await engine.images.rootfsLayers('busybox');
    if (!layer) throw new Error('busybox has no layer');

    // 1. Floor: crun run of /bin/true on the busybox layer (read-only root), same spec generator.
    const crun = await engine.containers.runtime('crun');
    const bundle = join(root, 'floor');
    mkdirSync(bundle);
    let n = 0;
    const floorCgroups: string[] = [];
    const floor = await sample(ROUNDS, async () => {
      const id = `floor-${n++}`;
      const cgroupsPath = `${cgroupRoot}/${id}`;
      floorCgroups.push(cgroupsPath);
      const spec = generateOciSpec({ args: ['/bin/true'], rootfs: layer, readonlyRootfs: true, cgroupsPath, hostHardLimits: readHostHardLimits() });
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
      await run(crun.command, [...crun.globalArgs(), 'run', '-b', bundle, id]);
    });
    for (const c of floorCgroups) await removeCgroup(c, c);
    print('crun_run_floor', floor);

    // 2. The Engine API: run, wait for the exit, remove (what `skiff run --rm` does).
    const library = await sample(ROUNDS, async () => {
      const r = await engine.run({ image: 'busybox', args: ['true'] });
      await engine.wait(r.id, { pollMs: 2 });
      await engine.removeContainer(r.id);
    });
    print('engine_api_run_rm', library);
    print('engine_api_run_to_exit', await sample(ROUNDS, async () => {
      const t0 = performance.now();
      const r = await engine.run({ image: 'busybox', args: ['true'] });
      await engine.wait(r.id, { pollMs: 2 });
      const dt = performance.now() - t0;
      await engine.removeContainer(r.id);
      return dt;
    }));

    // 3. The CLI as a process (node + the compiled CLI + engine).
    const env = { ...process.env, SKIFF_DATA_DIR: dataDir };
    const cli = await sample(Math.min(ROUNDS, 10), async () => {
      await run(process.execPath, [CLI_ENTRY, 'run', '--rm', 'busybox', 'true'], env);
    });
    print('skiff_run_rm_cli', cli);

    // 4. podman.
    const pod = await podmanSetup(root, layer);
    let podmanMs: number | undefined;
    // podman's default rlimits fail here (runc: "error setting rlimit ... operation not
    // permitted"): pass small explicit ones.
    const nproc = 1024;
    if (typeof pod === 'string') console.log(`podman_run: unavailable (${pod})`);
    else {
      try {
        podmanMs = await sample(Math.min(ROUNDS, 10), async () => {
          await run('podman', [...pod.args, 'run', '--rm', '--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', `nproc=${nproc}:${nproc}`, pod.image, 'true']);
        });
        print('podman_run_rm', podmanMs);
      } catch (err) {
        console.log(`podman_run: unavailable (${(err as Error).message.split('\n')[0]})`);
      }
    }

    // 5. A pod: sandbox (pinned namespaces, CNI bridge, pause) plus one started container.
    const { startMs: sandboxMs, teardownMs, startCpuMs } = await measurePodFloor(engine, ROUNDS);
    print('sandbox_cni_plus_container', sandboxMs);
    print('sandbox_teardown', teardownMs);
    // Its processes: 3 CNI plugins, unshare, mount ×2, conmon ×2, the runtime's create and start ×2.
    console.log(`sandbox_cni_plus_container_cpu: ${startCpuMs.toFixed(1)} ms (all cores, all processes)`);

    for (const [name, ms] of results) if (name !== 'crun_run_floor') console.log(`ratio ${name}/crun_run_floor: ${(ms / floor).toFixed(2)}`);
    console.log(`target engine_api_run_rm <= 2x floor: ${library <= 2 * floor ? 'met' : 'missed'}`);
    if (podmanMs !== undefined) console.log(`ratio skiff_run_rm_cli/podman_run_rm: ${(cli / podmanMs).toFixed(2)} (target <= 0.5: ${cli <= podmanMs / 2 ? 'met' : 'missed'})`);
    console.log(`sandbox_cni_plus_container target <= 60 ms: ${sandboxMs <= 60 ? 'met' : 'missed'}`);
  } finally {
    await engine.reset().catch((err: unknown) => console.error(`bench cleanup: ${(err as Error).message}`));
    await removeCgroup(cgroupRoot, cgroupRoot).catch(() => undefined);
    const podman = findBinary('podman');
    if (podman) spawnSync(podman, ['--root', join(root, 'podman', 'root'), '--runroot', join(root, 'podman', 'run'), '--storage-driver', 'overlay', 'system', 'reset', '--force']);
    for (const mp of mountPoints().reverse()) if (mp.startsWith(`${root}/`)) spawnSync('umount', ['-l', mp]);
    rmSync(root, { recursive: true, force: true });
  }
}
