// `npm run bench`: every benchmark, printing `name: value unit` lines.
// Select with BENCH=apiserver (default: all).
const which = (process.env.BENCH ?? 'all').split(',');
const suites: Record<string, () => Promise<void>> = {
  apiserver: async () => { await (await import('./apiserver.ts')).benchApiServer(); },
};
for (const [name, run] of Object.entries(suites)) {
  if (which.includes('all') || which.includes(name)) {
    console.log(`# ${name}`);
    await run();
  }
}
