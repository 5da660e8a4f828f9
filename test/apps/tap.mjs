// Reads what a conformance program (test/apps/*.c, tap.h) printed, for its
// runners (run-node.mjs, test/boot/wasi-conformance.test.ts): the plan it
// declared (`1..N`), every check line, and what is wrong with the report as
// a whole: no plan or several, a check reported twice, or a number of check
// lines other than the plan. Whether a `not ok` is acceptable is the
// runner's business (Node's known deviations); the counting is shared.

/**
 * @typedef {{ ok: boolean, skipped: boolean, name: string, line: string }} TapCheck
 * @typedef {{ plan: number | null, checks: TapCheck[], failures: string[], problems: string[] }} TapReport
 */

/**
 * `hidden`: checks the runner knows will not run (they depend on a check of a
 * known deviation that failed), so that plan - hidden lines are expected.
 * @returns {TapReport}
 */
export function readTap(stdout, hidden = 0) {
  const plans = [];
  const checks = [];
  for (const line of stdout.split("\n")) {
    const plan = /^1\.\.(\d+)$/.exec(line);
    if (plan) plans.push(Number(plan[1]));
    else if (line.startsWith("ok ")) {
      const skip = line.indexOf(" # SKIP");
      checks.push({ ok: true, skipped: skip >= 0, name: line.slice(3, skip >= 0 ? skip : undefined), line });
    } else if (line.startsWith("not ok ")) {
      const detail = line.indexOf(": ", 7);
      checks.push({ ok: false, skipped: false, name: line.slice(7, detail >= 0 ? detail : undefined), line });
    }
  }
  const problems = [];
  if (plans.length !== 1) problems.push(plans.length === 0 ? "no plan line (1..N)" : `${plans.length} plan lines: ${plans.map((n) => `1..${n}`).join(", ")}`);
  const plan = plans.length === 1 ? plans[0] : null;
  if (plan !== null && checks.length !== plan - hidden) {
    problems.push(`planned ${plan} checks${hidden ? ` (${hidden} not run behind known deviations)` : ""}, reported ${checks.length}`);
  }
  const seen = new Set();
  for (const check of checks) {
    if (seen.has(check.name)) problems.push(`reported twice: ${check.name}`);
    seen.add(check.name);
  }
  return { plan, checks, failures: checks.filter((check) => !check.ok).map((check) => check.line), problems };
}
