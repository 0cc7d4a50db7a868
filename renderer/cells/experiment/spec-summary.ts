// The one-line summary of a spec shown when its editor is closed ("SwitchHead H2 E4 k2 · d 64 × 2 layers · ...").
import type { ExperimentSpec } from '../../../engine/spec';

function attention(spec: ExperimentSpec): string {
  const a = spec.model.attention;
  const pos = a.positions === 'none' ? 'no positions' : a.positions === 'xl' ? 'XL' : 'RoPE';
  const mem = a.xlMemory ? ' + memory' : '';
  if (a.kind === 'dense') return `dense H${a.nHeads} · ${pos}${mem}`;
  if (a.kind === 'moa') return `MoA E${a.nExperts} k${a.k} · ${pos}${mem}`;
  const sides = (['q', 'k', 'v', 'o'] as const).filter((s) => a.moe[s]).map((s) => s.toUpperCase());
  return `SwitchHead H${a.nHeads} E${a.nExperts} k${a.k} (${sides.join('') || 'no MoE'}) · ${pos}${mem}`;
}

function data(spec: ExperimentSpec): string {
  const s = spec.data.source;
  const what =
    s.kind === 'synthetic' ? `${s.task} task` : s.kind === 'corpus' ? s.name : s.kind === 'file' ? s.path : s.name;
  return `${what} · ${spec.data.tokenizer.kind} · T ${spec.data.seqLen} × B ${spec.data.batchSize}`;
}

export function specSummary(spec: ExperimentSpec): string[] {
  const m = spec.model;
  const mlp = m.mlp.kind === 'sigma-moe' ? ` · σ-MoE MLP E${m.mlp.nExperts} k${m.mlp.k}` : '';
  return [
    attention(spec),
    `d ${m.dModel} × ${m.nLayers} layers${mlp}`,
    data(spec),
    `${spec.train.steps.toLocaleString('en-US')} steps · lr ${spec.train.lr} · seed ${spec.train.seed}`,
  ];
}
