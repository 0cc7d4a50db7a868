// Human-readable bench output: one table of the cases, and (with --profile) the slowest kernels per side.
import type { BenchReport, SideResult } from './run';

const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const num = (x: number, digits = 1) => x.toFixed(digits);
const millions = (x: number) => `${(x / 1e6).toFixed(2)}M`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
    .join('\n');
}

export function formatReport(r: BenchReport): string {
  const head = [
    'case',
    'dense ms',
    'SH ms',
    'time',
    'dense peak',
    'SH peak',
    'mem',
    'MACs (§6)',
    'mem (§6)',
    'params dense',
    'params SH',
  ];
  const rows = r.cases.map((c) => [
    c.name,
    num(c.dense_ms),
    num(c.switchhead_ms),
    num(c.time_ratio, 3),
    mb(c.dense_peak_bytes),
    mb(c.switchhead_peak_bytes),
    num(c.mem_ratio, 3),
    num(c.macs_ratio, 3),
    num(c.paper_mem_ratio, 3),
    millions(c.params_dense),
    millions(c.params_switchhead),
  ]);
  const lines = [
    `backend ${r.backend}, median of ${r.repeats} after ${r.warmup} warm-up; ratios are SwitchHead / dense`,
    table([head, ...rows]),
  ];
  for (const c of r.cases)
    if (c.dense_tokens_per_s !== undefined)
      lines.push(
        `${c.name}: dense ${num(c.dense_tokens_per_s, 0)} tokens/s, SwitchHead ${num(c.switchhead_tokens_per_s!, 0)} tokens/s`,
      );
  const leaks = r.cases.flatMap((c) =>
    [
      ['dense', c.dense],
      ['switchhead', c.switchhead],
    ]
      .filter(([, s]) => (s as SideResult).leakedTensors !== 0)
      .map(([n, s]) => `${c.name} ${n}: ${(s as SideResult).leakedTensors}`),
  );
  if (leaks.length) lines.push(`LEAKED TENSORS between repeats: ${leaks.join(', ')}`);
  lines.push(`note: ${r.peak_bytes_note}`);
  return lines.join('\n');
}

/** The `top` slowest kernels of each side, from one profiled run. */
export function formatKernels(r: BenchReport, top = 25): string {
  const out: string[] = [];
  for (const c of r.cases)
    for (const [side, s] of [
      ['dense', c.dense],
      ['switchhead', c.switchhead],
    ] as const) {
      if (!s.kernels) continue;
      const total = s.kernels.reduce((a, k) => a + k.ms, 0);
      out.push(`${c.name} ${side}: ${num(total)} ms in kernels (profiled run)`);
      out.push(
        table([
          ['kernel', 'calls', 'ms', 'share'],
          ...s.kernels.slice(0, top).map((k) => [k.name, String(k.calls), num(k.ms), `${num((100 * k.ms) / total)}%`]),
        ]),
      );
    }
  return out.join('\n');
}
