// The README.md of an exported experiment: what it is, and the exact commands for one GPU, one node, several nodes,
// the CPU, resuming, and bringing the run back into the workbench.
import type { ExportManifest } from './export';

function modelLine(m: ExportManifest): string {
  const { model } = m.spec;
  const a = model.attention;
  const pos = `${a.positions}${a.xlMemory ? ' + XL memory' : ''}`;
  const moe = (['q', 'k', 'v', 'o'] as const).filter((p) => a.moe[p]).map((p) => p.toUpperCase());
  const att =
    a.kind === 'switchhead'
      ? `SwitchHead attention, H=${a.nHeads} heads of d_head=${a.dHead}, E=${a.nExperts} experts, k=${a.k}` +
        (a.nExperts > 1 ? `, MoE on ${moe.join('/') || 'nothing'}` : ' (gated heads)')
      : a.kind === 'moa'
        ? `MoA attention, ${a.nExperts} experts, k=${a.k} active heads of d_head=${a.dHead} (${a.moaMode} gates)`
        : `dense attention, H=${a.nHeads} heads of d_head=${a.dHead}`;
  const mlp =
    model.mlp.kind === 'sigma-moe'
      ? `σ-MoE MLP (${model.mlp.nExperts} experts of ${model.mlp.expertSize}, k=${model.mlp.k})`
      : `dense MLP (d_ff=${model.dFF})`;
  const layers = `${model.nLayers} layer${model.nLayers === 1 ? '' : 's'}`;
  return `${layers} of d_model=${model.dModel}: ${att}, positions ${pos}; ${mlp}; dropout ${model.dropout}`;
}

function dataLine(m: ExportManifest): string {
  const { data } = m.spec;
  const src = data.source;
  const what =
    src.kind === 'corpus'
      ? `the "${src.name}" corpus (bundled in data/source/)`
      : src.kind === 'file'
        ? `the text file ${src.path} (a copy is in data/source/)`
        : src.kind === 'text'
          ? 'the text inside spec.json'
          : `the synthetic "${src.task}" task (generated while training; nothing to prepare)`;
  const tok =
    data.tokenizer.kind === 'bpe' ? `GPT-2 BPE truncated to ${data.tokenizer.vocabSize}` : data.tokenizer.kind;
  return `${what}; tokenizer ${src.kind === 'synthetic' ? 'synthetic' : tok}; vocabulary ${m.vocabSize}`;
}

function dataFiles(m: ExportManifest): string {
  const { source, tokenizer } = m.spec.data;
  if (source.kind === 'synthetic') return 'empty: the synthetic task is generated while training';
  const text = source.kind === 'text' ? 'nothing to carry (the text is in spec.json)' : 'the text in \`data/source/\`';
  return `${text}${tokenizer.kind === 'bpe' ? ', the GPT-2 merges (\`vocab.bpe\`)' : ''}; \`prepare_data.py\` writes \`data/tokens/\``;
}

const divisors = (n: number) => Array.from({ length: Math.min(n, 64) }, (_, i) => i + 1).filter((k) => n % k === 0);

export function exportReadme({ manifest: m, run }: { manifest: ExportManifest; run: string | null }): string {
  const s = m.spec;
  const B = s.data.batchSize;
  const resume = run ?? 'runs/<run-id>';
  const id = resume.split('/').pop()!;
  const from =
    m.from.kind === 'preset'
      ? `the preset \`${m.from.value}\``
      : m.from.kind === 'run'
        ? `the run directory \`${m.from.value}\``
        : m.from.kind === 'spec'
          ? m.from.value
          : `the spec file \`${m.from.value}\``;
  return `# ${s.name}: a SwitchHead Workbench experiment for PyTorch

Exported from SwitchHead Workbench ${m.engineVersion} (${from}) on ${m.exportedAt.slice(0, 10)}.
${s.description ? `\n${s.description}\n` : ''}
- **Model**: ${modelLine(m)}; ${(m.params / 1e6).toFixed(2)}M parameters (${m.params.toLocaleString('en-US')}).
- **Data**: ${dataLine(m)}; ${s.data.batchSize} sequences of ${s.data.seqLen} tokens per step.
- **Training**: ${s.train.steps} steps of AdamW (lr ${s.train.lr}, betas ${s.train.beta1}/${s.train.beta2}, weight decay ${s.train.weightDecay}), ${s.train.warmupSteps} warm-up steps${s.train.cosine ? ', cosine decay' : ''}, gradient clipping ${s.train.gradClip}, seed ${s.train.seed}.
- **Attention cost** (SPEC §6, per layer): ${m.cost.attention.macsPaper} MACs, ${m.cost.attention.memPaper} floats; ${m.cost.attentionMatrices.total} attention matrices in all.

| file | what |
|---|---|
| \`spec.json\` | the resolved experiment spec (every default filled in); edit it here if you must, then run \`prepare_data.py\` again |
| \`train.py\` | training with DistributedDataParallel: the workbench's batches, AdamW, schedule, clipping, regularisers, evaluation, run directory and checkpoints |
| \`prepare_data.py\` | tokenises the data exactly as the workbench does |
| \`switchhead/model/\` | the model: SwitchHead, the dense and MoA baselines, σ-MoE, XL memory, the paper's init; parameter names are the workbench's |
| \`switchhead/data/\` | the data: tokenizers (byte, char, GPT-2 BPE), the corpus and its split, the LM and synthetic-task batchers |
| \`switchhead/training/\` | the training that \`train.py\` runs: AdamW and schedule, DDP, safetensors checkpoints, the run directory, the loop |
| \`data/\` | ${dataFiles(m)} |
| \`export.json\` | the workbench version and the spec's attention cost |${run ? `\n| \`${run}/\` | the workbench run this was exported from, with its latest checkpoint |` : ''}

Needs Python 3.8+ with PyTorch (1.13 or newer) and numpy; nothing else. The code never imports the workbench.

## 1. Prepare the data (once)

\`\`\`
python3 prepare_data.py
\`\`\`
${s.data.source.kind === 'file' ? `\nThe text file travels in \`data/source/\`; give another copy with \`python3 prepare_data.py --source PATH\`.\n` : ''}
## 2. Train

One GPU (or, without one, the CPU):
\`\`\`
python3 train.py
\`\`\`

One node with 8 GPUs (DistributedDataParallel, one process per GPU):
\`\`\`
torchrun --standalone --nproc_per_node 8 train.py
\`\`\`

Several nodes, e.g. 2 nodes with 8 GPUs each. Run on every node, with \`NODE_RANK\` 0 on the first node and 1 on the
second, and \`HOST0\` the first node's address. Put the folder (and so \`runs/\`) on a filesystem all nodes share:
\`\`\`
torchrun --nnodes 2 --node_rank NODE_RANK --nproc_per_node 8 --master_addr HOST0 --master_port 29500 train.py
\`\`\`
or with the elastic rendezvous (no node ranks):
\`\`\`
torchrun --nnodes 2 --nproc_per_node 8 --rdzv_id ${safeId(s.name)} --rdzv_backend c10d --rdzv_endpoint HOST0:29500 train.py
\`\`\`

Every process takes its slice of each batch of ${B} sequences, so the number of processes must divide ${B}
(${divisors(B).join(', ')}). The global batch, the data order and the losses do not depend on it: N processes
compute the same steps as one. A model too large for one device's slice needs more devices or \`--amp\`.

On CPUs, processes talk over gloo: \`torchrun --standalone --nproc_per_node 2 train.py --device cpu\`. Debian's
PyTorch 1.13 \`torchrun\` crashes at start under Python 3.11; start the ranks by hand instead:
\`\`\`
for r in 0 1; do MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 WORLD_SIZE=2 RANK=$r LOCAL_RANK=$r python3 train.py --device cpu & done; wait
\`\`\`

Options: \`--out DIR\` (where runs go, default \`runs/\`), \`--device cuda|cpu\`, \`--dist-backend nccl|gloo\`,
\`--amp\` (bfloat16 autocast: faster, but no longer the workbench's float32 numbers), \`--keep-checkpoints N\` (3).

## 3. Stop, resume, fail

A run writes \`runs/<run-id>/\` (printed at the start): \`metrics.jsonl\`, \`routing.jsonl\`, \`probes/\`,
\`checkpoints/<step>.safetensors\` every ${s.log.checkpointInterval} steps, and \`summary.json\` at the end.
SIGTERM or Ctrl-C (a scheduler's pre-emption) finishes the step, saves a checkpoint and stops. A process that
dies leaves the last checkpoint intact (files are written to a temp file and renamed). Continue with the same
launcher and \`--resume\`:
\`\`\`
torchrun --standalone --nproc_per_node 8 train.py --resume ${resume}
\`\`\`
It truncates the run's files back to the checkpoint and goes on as if it had never stopped (same data order, same
XL memory), with any number of processes that divides the batch.

## 4. Back to the workbench

Copy the run directory back into the workbench's runs folder (\`workspace/runs/\` of the app, or \`runs/\` of the
CLI); it opens like any other run (curves, routing, probes, compare):
\`\`\`
rsync -a cluster:path/to/this/folder/${resume} workspace/runs/
npm run compare -- workspace/runs/${id}
npm run experiment -- --resume workspace/runs/${id}    # continue it in the workbench
\`\`\`
Checkpoints load both ways: the same tensor names (parameters, \`optim.m.*\`, \`optim.v.*\`, \`xl_memory.<l>\`) and
metadata (\`trainer_state\` with the step, tokens, learning rate and data position). A workbench run directory
resumes here with \`train.py --resume RUN_DIR\`.

What differs between the engines: the random streams (initialisation, dropout, expert dropout) are PyTorch's.
With dropout 0, a checkpoint continues to the same losses in both, to float32 rounding.
`;
}

const safeId = (name: string) => name.replace(/[^A-Za-z0-9_-]+/g, '-') || 'switchhead';
