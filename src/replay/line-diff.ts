/**
 * A unified diff of two line lists (longest common subsequence; canonical BODs are a few hundred lines, so the
 * quadratic table is small), with `context` unchanged lines around each change.
 */
export function unifiedDiff(expected: readonly string[], actual: readonly string[], labels: { expected: string; actual: string }, context = 3): string {
  const ops = diffOps(expected, actual);
  if (ops.every((o) => o.op === ' ')) return '';
  const out = [`--- ${labels.expected}`, `+++ ${labels.actual}`];
  // Group changes whose context windows touch into hunks.
  const changed = ops.map((o, i) => (o.op === ' ' ? -1 : i)).filter((i) => i >= 0);
  let h = 0;
  while (h < changed.length) {
    let start = Math.max(0, changed[h]! - context);
    let end = Math.min(ops.length, changed[h]! + context + 1);
    h++;
    while (h < changed.length && changed[h]! - context <= end) {
      end = Math.min(ops.length, changed[h]! + context + 1);
      h++;
    }
    start = Math.max(0, start);
    const slice = ops.slice(start, end);
    const first = ops[start]!;
    const eCount = slice.filter((o) => o.op !== '+').length;
    const aCount = slice.filter((o) => o.op !== '-').length;
    out.push(`@@ -${first.e + (eCount ? 1 : 0)},${eCount} +${first.a + (aCount ? 1 : 0)},${aCount} @@`);
    for (const o of slice) out.push(`${o.op}${o.line}`);
  }
  return out.join('\n');
}

interface Op {
  readonly op: ' ' | '-' | '+';
  readonly line: string;
  /** Lines of expected / actual before this one (0-based positions for hunk headers). */
  readonly e: number;
  readonly a: number;
}

function diffOps(x: readonly string[], y: readonly string[]): Op[] {
  // Common prefix and suffix first: responses usually differ in a few lines.
  let pre = 0;
  while (pre < x.length && pre < y.length && x[pre] === y[pre]) pre++;
  let suf = 0;
  while (suf < x.length - pre && suf < y.length - pre && x[x.length - 1 - suf] === y[y.length - 1 - suf]) suf++;
  const xs = x.slice(pre, x.length - suf);
  const ys = y.slice(pre, y.length - suf);
  // Beyond ~16 M cells, show the differing middle as removed then added rather than spend the memory.
  const n = xs.length * ys.length > 16_000_000 ? 0 : xs.length;
  const m = n === 0 ? 0 : ys.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * (m + 1) + j] = xs[i] === ys[j] ? table[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(table[(i + 1) * (m + 1) + j]!, table[i * (m + 1) + j + 1]!);
    }
  }
  const ops: Op[] = [];
  let e = 0;
  let a = 0;
  const push = (op: Op['op'], line: string) => {
    ops.push({ op, line, e, a });
    if (op !== '+') e++;
    if (op !== '-') a++;
  };
  for (let k = 0; k < pre; k++) push(' ', x[k]!);
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && xs[i] === ys[j]) {
      push(' ', xs[i]!);
      i++;
      j++;
    } else if (i < n && (j >= m || table[(i + 1) * (m + 1) + j]! >= table[i * (m + 1) + j + 1]!)) {
      push('-', xs[i]!);
      i++;
    } else {
      push('+', ys[j]!);
      j++;
    }
  }
  if (n === 0 && m === 0) {
    for (const l of xs) push('-', l);
    for (const l of ys) push('+', l);
  }
  for (let k = x.length - suf; k < x.length; k++) push(' ', x[k]!);
  return ops;
}
