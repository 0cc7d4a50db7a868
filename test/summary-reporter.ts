// Prints one plain closing line, "N passed, M failed" (", K skipped" when any), after vitest's own summary,
// so CI logs state the count in a runner-neutral form.
import type { Reporter } from 'vitest/node';

interface Task {
  type: string;
  mode?: string;
  result?: { state?: string };
  tasks?: Task[];
}

function count(tasks: Task[], n = { passed: 0, failed: 0, skipped: 0 }) {
  for (const t of tasks) {
    if (t.tasks) count(t.tasks, n);
    if (t.type !== 'test') continue;
    const s = t.result?.state;
    if (s === 'pass') n.passed++;
    else if (s === 'fail') n.failed++;
    else n.skipped++;
  }
  return n;
}

export default class SummaryReporter implements Reporter {
  onFinished(files: Task[] = [], errors: unknown[] = []): void {
    const n = count(files);
    // A file that failed to load (no tests ran) or an unhandled error counts as a failure.
    n.failed += files.filter((f) => f.result?.state === 'fail' && !(f.tasks ?? []).length).length + errors.length;
    console.log(`\n${n.passed} passed, ${n.failed} failed${n.skipped ? `, ${n.skipped} skipped` : ''}`);
  }
}
