// `npm run bench`: every benchmark, printing `name: value unit` lines.
// Select with BENCH=apiserver (default: all).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const which = (process.env.BENCH ?? 'all').split(',');
// The load generator for throughput figures (Debian's wrk) and the engine's peer (podman),
// installed like every other package.
execFileSync('bash', [join(import.meta.dirname, '..', 'scripts', 'setup.sh'), 'wrk', 'podman'], { stdio: 'inherit' });
const suites: Record<string, () => Promise<void>> = {
  apiserver: async () => { await (await import('./apiserver.ts')).benchApiServer(); },
  engine: async () => { await (await import('./engine.ts')).benchEngine(); },
  pods: async () => { await (await import('./pods.ts')).benchPods(); },
  scheduler: async () => { await (await import('./scheduler.ts')).benchScheduler(); },
  controllers: async () => { await (await import('./controllers.ts')).benchControllers(); },
  network: async () => { await (await import('./network.ts')).benchNetwork(); },
  workloads: async () => { await (await import('./workloads.ts')).benchWorkloads(); },
  webhook: async () => { await (await import('./webhook.ts')).benchWebhook(); },
  rbac: async () => { await (await import('./rbac.ts')).benchRbac(); },
};
// One suite failing does not stop the others; the run still ends with an error.
const failed: string[] = [];
for (const [name, run] of Object.entries(suites)) {
  if (which.includes('all') || which.includes(name)) {
    console.log(`# ${name}`);
    try {
      await run();
    } catch (err) {
      console.error(`bench ${name} failed: ${(err as Error).stack ?? String(err)}`);
      failed.push(name);
    }
  }
}
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
