// Where the step scrubber can stop: every step with a saved probe (probes/<step>.json) or a checkpoint, and "now"
// for a run this page is training (a live probe through the run's own worker). What each position can show: the saved
// probe as it is (the run's own text, no interventions), or a probe computed from the checkpoint of that step or by
// the live worker (any text, interventions). Pure.

export interface StepPosition {
  step: number | null; // null: now (the live model)
  saved: boolean; // probes/<step>.json exists
  checkpoint: boolean; // checkpoints/<step> exists: a probe can be computed
}

export function stepPositions(
  listing: { probes: readonly number[]; checkpoints: readonly number[] } | null,
  live: boolean,
): StepPosition[] {
  const steps = new Set<number>([...(listing?.probes ?? []), ...(listing?.checkpoints ?? [])]);
  const probes = new Set(listing?.probes ?? []);
  const ckpts = new Set(listing?.checkpoints ?? []);
  const out: StepPosition[] = [...steps]
    .sort((a, b) => a - b)
    .map((step) => ({ step, saved: probes.has(step), checkpoint: ckpts.has(step) }));
  if (live) out.push({ step: null, saved: false, checkpoint: false });
  return out;
}

/** The position a cell's `step` means: that step, else the newest ("now" for a live run). -1: none at all. */
export function positionIndex(positions: readonly StepPosition[], step: number | null): number {
  if (positions.length === 0) return -1;
  if (step !== null) {
    const i = positions.findIndex((p) => p.step === step);
    if (i >= 0) return i;
  }
  return positions.length - 1;
}

export type ProbeSource =
  | { kind: 'saved'; step: number }
  | { kind: 'live' }
  | { kind: 'checkpoint'; step: number }
  | { kind: 'none'; reason: string };

/** How to get the probe a position shows: the saved file when it fits the request, else a computed one. */
export function probeSource(pos: StepPosition | undefined, ownText: boolean, intervening: boolean): ProbeSource {
  if (!pos) return { kind: 'none', reason: 'This run has no saved probe and no checkpoint yet.' };
  if (pos.step === null) return { kind: 'live' };
  if (pos.saved && ownText && !intervening) return { kind: 'saved', step: pos.step };
  if (pos.checkpoint) return { kind: 'checkpoint', step: pos.step };
  const why = intervening ? 'Counterfactual routing' : 'A probe of another text';
  return {
    kind: 'none',
    reason: `${why} needs the model of step ${pos.step}, and this run kept no checkpoint at that step. Move the step to one with a checkpoint.`,
  };
}

/** The scrubber's words for a position. */
export function positionLabel(p: StepPosition): string {
  if (p.step === null) return 'now (live)';
  const what = p.saved && p.checkpoint ? 'saved probe, checkpoint' : p.saved ? 'saved probe' : 'checkpoint';
  return `step ${p.step.toLocaleString('en-US')} (${what})`;
}
