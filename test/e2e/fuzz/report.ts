// Failures grouped by class, a few reproductions each: one readable assertion message per test.
import type { Failure } from './case.ts';

export function formatReport(failures: readonly Failure[], rerun: string, perClass = 6): string {
  const byClass = new Map<string, Failure[]>();
  for (const f of failures) {
    const list = byClass.get(f.cls) ?? [];
    list.push(f);
    byClass.set(f.cls, list);
  }
  const lines = [`${failures.length} failure(s) in ${byClass.size} class(es); reproduce with ${rerun}`];
  for (const [cls, list] of [...byClass].sort((a, b) => b[1].length - a[1].length)) {
    lines.push(`\n[${cls}] ×${list.length}`);
    for (const f of list.slice(0, perClass)) lines.push(`  - ${f.request}\n      → ${f.answer}`);
    if (list.length > perClass) lines.push(`  … and ${list.length - perClass} more`);
  }
  return lines.join('\n');
}
