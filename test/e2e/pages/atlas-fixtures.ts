// Real engine answers for the atlas gallery page (test/e2e/pages/atlas-page.tsx), computed in Node on the cpu backend
// from tiny models trained a few steps: a SwitchHead on the teach-copy preset (shortened), a SwitchAll (attention
// and σ-MoE MLP experts), a MoA and a dense model on a short character text. Per model: its spec, the atlas, the
// tokenization of its probe text and a trace of every position of every layer (SwitchHead only), routing reports
// every few steps and saved probes (for the health panels). Typed arrays are tagged for JSON.
import { initBackend } from '../../../engine/backend';
import type {
  AtlasReport,
  ProbeReport,
  RoutingReport,
  TokenizeReport,
  TraceReport,
} from '../../../engine/contracts/reports';
import { buildDataset } from '../../../engine/data';
import { parseSpec, type ExperimentSpecInput } from '../../../engine/spec';
import { atlas } from '../../../engine/train/atlas';
import { probe, tokenizeText } from '../../../engine/train/probe';
import { trace } from '../../../engine/train/probe-trace';
import { trainerRouting } from '../../../engine/train/routing';
import { Trainer } from '../../../engine/train/trainer';
import { presets } from '../../../experiments/index';
import { DENSE, MOA, SWITCHALL } from '../../engine/probe-fixtures';

export interface GalleryCase {
  id: string;
  title: string;
  spec: unknown; // the resolved spec (spec.json's `spec`)
  atlas: AtlasReport | { error: string };
  tokenize: TokenizeReport;
  traces: Record<string, TraceReport | { error: string }>; // `${position}:${layer}`
  routing: RoutingReport[];
  probes: ProbeReport[];
  healthOnly?: boolean; // the page shows only the health panels
}

/** The SwitchHead case with head 1 of layer 0's source side collapsing onto one expert from the third report on
 *  (shares, counts, Jain, entropy and dead fraction rewritten consistently): the collapse flag's marked range. */
function collapsed(c: GalleryCase): GalleryCase {
  const E = 4;
  const routing = c.routing.map((r, i) => ({
    ...r,
    sides: r.sides.map((s) =>
      s.layer !== 0 || s.side !== 'src' || i < 2
        ? s
        : {
            ...s,
            heads: s.heads.map((h) => {
              if (h.head !== 1) return h;
              const share = [0.94, 0.06, 0, 0];
              const total = h.counts.reduce((a, b) => a + b, 0);
              return {
                ...h,
                share,
                counts: share.map((x) => Math.round(x * total)),
                entropy: -share.reduce((a, x) => a + (x > 0 ? x * Math.log(x) : 0), 0) / Math.log(E),
                deadFraction: 0.5,
                jain: 1 / (E * share.reduce((a, x) => a + x * x, 0)),
              };
            }),
          },
    ),
  }));
  return {
    ...c,
    id: 'collapsed',
    title: 'SwitchHead with a collapsing head (rows rewritten)',
    routing,
    healthOnly: true,
  };
}

/** JSON with Int32Array / Float32Array tagged, so the page can restore them. */
export function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x instanceof Int32Array
      ? { __typed: 'i32', data: Array.from(x) }
      : x instanceof Float32Array
        ? { __typed: 'f32', data: Array.from(x) }
        : x,
  );
}

const err = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
};

function build(id: string, title: string, input: ExperimentSpecInput, steps: number, every: number): GalleryCase {
  const spec = parseSpec(input);
  const tr = new Trainer(spec, buildDataset(spec));
  const routing: RoutingReport[] = [];
  const probes: ProbeReport[] = [];
  const text = spec.log.probeText;
  for (let s = 1; s <= steps; s++) {
    tr.step();
    if (s % every === 0) routing.push(trainerRouting(tr));
    if (s % (every * 2) === 0) probes.push(probe(tr, text, { truncate: true }));
  }
  const tokenize = tokenizeText(tr, text);
  const traces: GalleryCase['traces'] = {};
  if (spec.model.attention.kind === 'switchhead') {
    const T = Math.min(tokenize.length, tokenize.maxLength) - 1;
    for (let l = 0; l < spec.model.nLayers; l++)
      for (let p = 0; p < T; p++) traces[`${p}:${l}`] = trace(tr, text, p, l);
  }
  const atlasErr = err(() => atlas(tr, { maxTokens: 64 }));
  const at = atlasErr ? { error: atlasErr } : atlas(tr, { maxTokens: 4096 });
  tr.dispose();
  return { id, title, spec, atlas: at, tokenize, traces, routing, probes };
}

export async function galleryCases(): Promise<GalleryCase[]> {
  await initBackend(['cpu']);
  const copy = structuredClone(presets['teach-copy']!.spec) as ExperimentSpecInput;
  copy.data = { ...copy.data!, batchSize: 4 };
  const char = (input: ExperimentSpecInput): ExperimentSpecInput => ({
    ...input,
    log: { probeText: 'Call me Ishmael. Some ye' }, // in the character vocabulary, within the context (24)
  });
  const sh = build('switchhead', 'SwitchHead · teach-copy (source V, destination O)', copy, 24, 4);
  return [
    sh,
    collapsed(sh),
    build('switchall', 'SwitchAll · attention and σ-MoE MLP experts', char(SWITCHALL), 16, 4),
    build('moa', 'MoA · destination experts only', char(MOA), 16, 4),
    build('dense', 'Dense attention and MLP', char(DENSE), 4, 4),
  ];
}
