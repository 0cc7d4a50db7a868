// The teaching walkthrough's stages: one token stepped through one SwitchHead attention layer (SPEC §1), each stage
// with a short text a teacher can read aloud (naming the paper's symbols), a question to ask before revealing its
// numbers, and the real numbers of the model (engine TraceReport) as vectors, matrices and facts. Pure; no DOM.
import type { TraceHead, TraceReport, TraceSelection } from '../../../../engine/contracts/reports';
import { displayToken } from '../token-display';

export type StageId = 'input' | 'qk' | 'router' | 'sigmoid' | 'topk' | 'values' | 'attention' | 'output';

/** How a vector or matrix is coloured: signed around 0, or a share/probability in [0, 1]. */
export type Scale = 'signed' | 'unit';

export interface VectorItem {
  kind: 'vector';
  key: string;
  title: string;
  values: number[];
  labels: string[]; // one per value (expert "e2", dimension "3", token "5 ·")
  scale: Scale;
  marks?: number[]; // indices outlined (chosen experts, the strongest attention)
}

export interface MatrixItem {
  kind: 'matrix';
  key: string;
  title: string;
  values: number[][]; // [rows][cols]
  rowLabels: string[];
  colLabels: string[];
  scale: Scale;
  marks?: number[][]; // per row, the columns outlined
}

export interface FactsItem {
  kind: 'facts';
  key: string;
  title: string;
  rows: [string, string][];
}

export type StageItem = VectorItem | MatrixItem | FactsItem;

export interface Stage {
  id: StageId;
  title: string;
  text: string; // read aloud: markdown with KaTeX math ($...$) naming the paper's symbols
  predict: string; // the question before Reveal (markdown)
  items: StageItem[];
  note?: string; // what this model does differently (a dense projection, no source side)
}

export const STAGE_IDS: readonly StageId[] = [
  'input',
  'qk',
  'router',
  'sigmoid',
  'topk',
  'values',
  'attention',
  'output',
];

/** A token inside the markdown texts: shown literally as code (no markup, no math, no HTML). */
export function mdLiteral(token: string): string {
  const t = token.replace(/`/g, 'ˋ');
  return '`' + (t.startsWith(' ') || t.endsWith(' ') ? displayToken(t) : t || '∅') + '`';
}

const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : String(v));
const ex = (n: number, prefix = 'e') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const dims = (n: number) => Array.from({ length: n }, (_, i) => String(i));

/** "5 C": a key token's label (position and token). */
export function keyLabels(tr: TraceReport): string[] {
  return tr.tokens.slice(0, tr.position + 1).map((t, j) => `${j} ${displayToken(t)}`);
}

function meanStd(v: number[]): { mean: number; std: number } {
  const mean = v.reduce((a, b) => a + b, 0) / (v.length || 1);
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length || 1));
  return { mean, std };
}

/** The k-th minus the (k+1)-th highest score (how close the choice was); NaN when every expert is chosen. */
export function topkMargin(scores: readonly number[], k: number): number {
  if (k >= scores.length) return NaN;
  const s = [...scores].sort((a, b) => b - a);
  return s[k - 1]! - s[k]!;
}

function chosenFacts(sel: TraceSelection, k: number): [string, string][] {
  return [
    ['chosen 𝓔 (best first)', sel.idx.map((e) => `e${e}`).join(', ')],
    ['gates s[e]', sel.gates.map(f3).join(', ')],
    ['margin s₍k₎ − s₍k+1₎', f3(topkMargin(sel.scores, k))],
  ];
}

/** The stages for head `h` of a trace. */
export function buildStages(tr: TraceReport, h: number): Stage[] {
  const hd: TraceHead | undefined = tr.heads[h];
  if (!hd) throw new Error(`head ${h} does not exist: the layer has ${tr.heads.length} heads`);
  const { position: p, k, nExperts: E, dHead, dModel } = tr;
  const tok = mdLiteral(tr.token);
  const keys = keyLabels(tr);
  const src = hd.src?.[p];
  const dst = hd.dst;
  const xs = meanStd(tr.input);
  const argmax = (v: number[]) => v.reduce((b, x, i) => (x > v[b]! ? i : b), 0);
  const sub = { h, p, l: tr.layer };

  const input: Stage = {
    id: 'input',
    title: 'The token’s input',
    text:
      `Token ${p} (${tok}) arrives at layer ${sub.l} as the residual stream: ${dModel} numbers that earlier layers ` +
      `have written to. The attention LayerNorm rescales them into $x_{${p}}$, and everything in this layer, the ` +
      `routers and the projections, reads $x_{${p}}$ and the vectors $x_j$ of the tokens before it.`,
    predict: `After LayerNorm, what mean and spread do you expect the ${dModel} numbers of $x_{${p}}$ to have?`,
    items: [
      vector('residual', `residual stream at token ${p}`, tr.residual, dims(dModel), 'signed'),
      vector('input', `x_${p} = LayerNorm(residual)`, tr.input, dims(dModel), 'signed'),
      facts('input-stats', 'x_p in numbers', [
        ['mean', f3(xs.mean)],
        ['standard deviation', f3(xs.std)],
      ]),
    ],
  };

  const qk: Stage = {
    id: 'qk',
    title: 'Shared query and keys',
    text:
      `As in ordinary attention, head ${h} makes a query $q_{${p}} = x_{${p}} W_Q^{${h}}$ for our token and a key ` +
      `$k_j = x_j W_K^{${h}}$ for every token $j \\le ${p}$: ${dHead} numbers each. There are no experts here: one ` +
      `query and one key matrix per head, shared by all experts, so the head still computes a single attention matrix.`,
    predict: `Which earlier token do you expect the query $q_{${p}}$ to match best?`,
    items: [
      vector('q', `q_${p} (query of head ${h})`, hd.q, dims(dHead), 'signed'),
      matrix('keys', `keys k_j, j = 0..${p}`, hd.keys, keys, dims(dHead), 'signed'),
    ],
    note:
      tr.moe.q || tr.moe.k
        ? `In this model ${[tr.moe.q && 'Q', tr.moe.k && 'K'].filter(Boolean).join(' and ')} are expert mixtures too.`
        : undefined,
  };

  const routerItems = (field: 'logits' | 'scores', scale: Scale, marks: boolean): StageItem[] => [
    ...(dst
      ? [
          vector(
            `dst-${field}`,
            `destination router (for O), token ${p}`,
            dst[field],
            ex(E),
            scale,
            marks ? dst.idx : undefined,
          ),
        ]
      : []),
    ...(src
      ? [
          vector(
            `src-${field}`,
            `source router (for V), token ${p} as a key`,
            src[field],
            ex(E),
            scale,
            marks ? src.idx : undefined,
          ),
          matrix(
            `src-${field}-all`,
            `source router, every key j`,
            hd.src!.map((s) => s[field]),
            keys,
            ex(E),
            scale,
            marks ? hd.src!.map((s) => s.idx) : undefined,
          ),
        ]
      : []),
  ];

  const router: Stage = {
    id: 'router',
    title: 'Router scores',
    text:
      `Head ${h} has two small routers of its own. The source router scores every key token $j$ with $x_j W_S^{${h}}$: ` +
      `one number per value expert. The destination router scores our token with $x_{${p}} W_D^{${h}}$: one per ` +
      `output expert. These raw scores, the logits, can be any number.`,
    predict: `Which of the ${E} output experts do you think scores highest for token ${p}?`,
    items: routerItems('logits', 'signed', false),
  };

  const sigmoid: Stage = {
    id: 'sigmoid',
    title: 'Sigmoid',
    text:
      `Each logit goes through the sigmoid $\\sigma$, giving a score $s \\in (0, 1)$ per expert. Unlike a softmax ` +
      `router, the experts do not compete: every score is its own yes-or-no confidence, and several can be high at once.`,
    predict: `How many experts will have a score above 0.5?`,
    items: routerItems('scores', 'unit', false),
  };

  const topk: Stage = {
    id: 'topk',
    title: `Top-${k}`,
    text:
      `The head keeps the $k = ${k}$ experts with the highest scores and ignores the rest. The kept ones form the ` +
      `set $\\mathcal{E}$. Their scores become the gates. The gates are not renormalised, so a weak choice stays weak. The margin ` +
      `between the score ranked $k$ and the one ranked $k+1$ says how close the choice was.`,
    predict: `Which ${k} experts will be chosen, and how close is the runner-up?`,
    items: [
      ...routerItems('scores', 'unit', true),
      ...(dst ? [facts('dst-chosen', 'destination (O) choice', chosenFacts(dst, k))] : []),
      ...(src ? [facts('src-chosen', `source (V) choice of token ${p}`, chosenFacts(src, k))] : []),
    ],
  };

  const values: Stage = {
    id: 'values',
    title: 'Gate-weighted V experts',
    text:
      `For every key token $j$ the head mixes its chosen value experts: ` +
      `$v_j = \\sum_{e \\in \\mathcal{E}^S_j} s^S_j[e]\\, x_j W_V^{${h},e}$. Here are the ${k} experts our token ` +
      `chose as a key, their gates and outputs, and their weighted sum $v_{${p}}$, then $v_j$ for every key.`,
    predict: `Will the two chosen experts’ outputs point the same way, or does one dominate $v_{${p}}$?`,
    items: [
      ...(hd.vExperts ?? []).map((x) =>
        vector(`v-e${x.expert}`, `V expert e${x.expert} · gate ${f3(x.gate)}`, x.out, dims(dHead), 'signed'),
      ),
      vector('v', `v_${p} = Σ gate · expert output`, hd.values[p]!, dims(dHead), 'signed'),
      matrix('values', `values v_j, j = 0..${p}`, hd.values, keys, dims(dHead), 'signed'),
    ],
    note: hd.vExperts ? undefined : 'In this model V is one dense projection per head (no value experts).',
  };

  const best = argmax(hd.weights);
  const attention: Stage = {
    id: 'attention',
    title: 'Attention',
    text:
      `The query meets every key: $A_{${p}} = \\mathrm{softmax}_j\\big(q_{${p}} \\cdot k_j / \\sqrt{d_h}\\big)$, ` +
      `with the positions mixed in. This is the head's one attention row, however many experts it has. The head ` +
      `then reads $u_{${p}} = \\sum_j A_{${p}}[j]\\, v_j$, a weighted average of the values.`,
    predict: `Which token will get the most attention weight?`,
    items: [
      vector('att-logits', `scores q_${p} · k_j / √d_h`, hd.logits, keys, 'signed'),
      vector('att-weights', `attention weights A_${p}[j]`, hd.weights, keys, 'unit', [best]),
      vector('u', `u_${p} = Σ_j A_${p}[j] v_j`, hd.attended, dims(dHead), 'signed'),
      facts('att-best', 'strongest attention', [
        ['token', keys[best]!],
        ['weight', f3(hd.weights[best]!)],
      ]),
    ],
  };

  const output: Stage = {
    id: 'output',
    title: 'Gate-weighted O experts',
    text:
      `Finally the head's chosen output experts turn $u_{${p}}$ back into ${dModel} numbers: ` +
      `$\\sum_{e \\in \\mathcal{E}^D_{${p}}} s^D_{${p}}[e]\\, u_{${p}} W_O^{${h},e}$. Adding the outputs of all ` +
      `${tr.nHeads} heads gives the layer's attention output $y_{${p}}$, which is added to the residual stream.`,
    predict: `Which output expert will contribute more to the head's output?`,
    items: [
      ...(hd.oExperts ?? []).map((x) =>
        vector(`o-e${x.expert}`, `O expert e${x.expert} · gate ${f3(x.gate)}`, x.out, dims(dModel), 'signed'),
      ),
      vector('head-out', `head ${h} output`, hd.output, dims(dModel), 'signed'),
      vector('y', `y_${p}: the layer's attention output (all heads)`, tr.output, dims(dModel), 'signed'),
      ...(hd.outputGate !== undefined
        ? [facts('out-gate', 'output gate', [['σ gate (one expert)', f3(hd.outputGate)]] as [string, string][])]
        : []),
    ],
    note: hd.oExperts ? undefined : 'In this model O is one dense projection per head (no output experts).',
  };
  return [input, qk, router, sigmoid, topk, values, attention, output];
}

function vector(
  key: string,
  title: string,
  values: number[],
  labels: string[],
  scale: Scale,
  marks?: number[],
): VectorItem {
  return { kind: 'vector', key, title, values, labels, scale, ...(marks && { marks }) };
}

function matrix(
  key: string,
  title: string,
  values: number[][],
  rowLabels: string[],
  colLabels: string[],
  scale: Scale,
  marks?: number[][],
): MatrixItem {
  return { kind: 'matrix', key, title, values, rowLabels, colLabels, scale, ...(marks && { marks }) };
}

function facts(key: string, title: string, rows: [string, string][]): FactsItem {
  return { kind: 'facts', key, title, rows };
}

// ---- export ----

const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** An item's numbers as CSV: vectors `index,label,value`; matrices `row,row_label,col,col_label,value`. */
export function itemCsv(item: VectorItem | MatrixItem): string {
  if (item.kind === 'vector')
    return (
      ['index,label,value', ...item.values.map((v, i) => `${i},${field(item.labels[i] ?? '')},${v}`)].join('\n') + '\n'
    );
  const lines = ['row,row_label,col,col_label,value'];
  item.values.forEach((row, r) =>
    row.forEach((v, c) =>
      lines.push(`${r},${field(item.rowLabels[r] ?? '')},${c},${field(item.colLabels[c] ?? '')},${v}`),
    ),
  );
  return lines.join('\n') + '\n';
}

export function itemJson(item: VectorItem | MatrixItem, meta: Record<string, unknown>): string {
  return JSON.stringify({ format: 'switchhead-walkthrough', version: 1, ...meta, ...item });
}
