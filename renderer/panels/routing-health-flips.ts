// Flip rate over a run's saved probes: for each pair of consecutive probes (probes/<step>.json), the share of the
// probe's tokens whose top-k set changed, per head of one layer and side (engine/run/routing-health.ts flipRate).
// Probes are read once per run and step through the Platform and kept stripped to their selections (no attention
// maps, scores or gates); flip rates are kept per pair, layer and side. Steps that leave the run's listing (a resumed
// run rolled back past them) are forgotten, so a re-trained step is read again. No DOM.
import type { ProbeLayer, ProbeReport, SelectionSide } from '../../engine/contracts/reports';
import { flipRate } from '../../engine/run/routing-health';

/** What a flip rate needs of a probe: its tokens and, per layer and side, the chosen experts [T][H][k]. */
export type ProbeSelections = Pick<ProbeReport, 'step' | 'text' | 'tokens'> & { layers: ProbeLayer[] };

/** Keep only the selections' expert indices of a probe report (read from disk, so checked as it is used). */
export function stripProbe(raw: unknown, step: number): ProbeSelections {
  const r = raw as Partial<ProbeReport> | null;
  if (!r || !Array.isArray(r.tokens) || !Array.isArray(r.layers))
    throw new Error(`probes/${step}.json is not a probe report (no tokens or layers)`);
  const keep = (s: ProbeLayer['src']) =>
    s && Array.isArray(s.idx) ? { idx: s.idx, scores: [], gates: [] } : undefined;
  return {
    step: typeof r.step === 'number' ? r.step : step,
    text: typeof r.text === 'string' ? r.text : '',
    tokens: r.tokens,
    layers: r.layers.map((l) => ({
      layer: l.layer,
      attention: [],
      ...(l.src && { src: keep(l.src) }),
      ...(l.dst && { dst: keep(l.dst) }),
      ...(l.mlp && { mlp: keep(l.mlp) }),
    })),
  };
}

export interface FlipSeries {
  step: number[]; // the later probe of each pair
  from: number[]; // the earlier probe's step
  heads: number[][]; // [H][pairs] share of tokens whose top-k set changed (NaN: not comparable)
  notes: string[]; // pairs left out and why (different probe texts, a probe that could not be read)
}

type ReadProbe = (runId: string, step: number) => Promise<unknown>;

export class FlipCache {
  private readonly probes = new Map<string, Map<number, Promise<ProbeSelections>>>();
  private readonly rates = new Map<string, Map<string, number[] | string>>();
  /** Probe files read so far (tests check that each is read once). */
  reads = 0;

  constructor(private readonly read: ReadProbe) {}

  /** Forget a run's probes that are not among `steps` (the listing's saved probes now). */
  retain(runId: string, steps: readonly number[]): void {
    const keep = new Set(steps);
    const probes = this.probes.get(runId);
    if (probes) for (const s of [...probes.keys()]) if (!keep.has(s)) probes.delete(s);
    const rates = this.rates.get(runId);
    if (rates)
      for (const key of [...rates.keys()]) {
        const [a, b] = key.split(':').map(Number);
        if (!keep.has(a!) || !keep.has(b!)) rates.delete(key);
      }
  }

  forget(runId: string): void {
    this.probes.delete(runId);
    this.rates.delete(runId);
  }

  private probe(runId: string, step: number): Promise<ProbeSelections> {
    let m = this.probes.get(runId);
    if (!m) this.probes.set(runId, (m = new Map()));
    let p = m.get(step);
    if (!p) {
      this.reads++;
      p = this.read(runId, step).then((raw) => stripProbe(raw, step));
      p.catch(() => m!.delete(step)); // a failed read is tried again next time
      m.set(step, p);
    }
    return p;
  }

  /** Flip rates of every head of (layer, side) between each pair of consecutive saved probes `steps`. */
  async flips(runId: string, steps: readonly number[], layer: number, side: SelectionSide): Promise<FlipSeries> {
    const sorted = [...new Set(steps)].sort((a, b) => a - b);
    this.retain(runId, sorted);
    let rates = this.rates.get(runId);
    if (!rates) this.rates.set(runId, (rates = new Map()));
    const out: FlipSeries = { step: [], from: [], heads: [], notes: [] };
    const pairs = sorted.slice(1).map((b, i) => [sorted[i]!, b] as const);
    const results = await Promise.all(
      pairs.map(async ([a, b]) => {
        const key = `${a}:${b}:${layer}:${side}`;
        const cached = rates!.get(key);
        if (cached !== undefined) return cached;
        let value: number[] | string;
        try {
          const [pa, pb] = await Promise.all([this.probe(runId, a), this.probe(runId, b)]);
          value = pairRates(pa, pb, layer, side);
        } catch (e) {
          return `steps ${a}→${b}: ${(e as Error).message}`; // not cached: a read may work next time
        }
        rates!.set(key, value);
        return value;
      }),
    );
    const H = Math.max(0, ...results.map((r) => (typeof r === 'string' ? 0 : r.length)));
    out.heads = Array.from({ length: H }, () => []);
    results.forEach((r, i) => {
      const [a, b] = pairs[i]!;
      if (typeof r === 'string') {
        out.notes.push(r);
        return;
      }
      out.step.push(b);
      out.from.push(a);
      for (let h = 0; h < H; h++) out.heads[h]!.push(r[h] ?? NaN);
    });
    return out;
  }
}

/** Per-head flip rates of one pair, or why the pair cannot be compared (as a string, cached like a result). */
function pairRates(a: ProbeSelections, b: ProbeSelections, layer: number, side: SelectionSide): number[] | string {
  if (a.tokens.length !== b.tokens.length || a.tokens.some((t, i) => t !== b.tokens[i]))
    return `steps ${a.step}→${b.step}: the probes are of different texts`;
  const sel = a.layers[layer]?.[side];
  if (!sel || !b.layers[layer]?.[side]) return `steps ${a.step}→${b.step}: no ${side} selection in layer ${layer}`;
  const H = sel.idx[0]?.length ?? 0;
  return Array.from({ length: H }, (_, h) => flipRate(a as ProbeReport, b as ProbeReport, layer, side, h));
}
