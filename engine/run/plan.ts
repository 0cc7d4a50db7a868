// What happens around each training step, for every run: one plan, a pure function of the spec, a few facts about
// the run, and the step number. The training session (engine/session.ts) follows it; whoever records the run
// (engine/run/recorder.ts: the CLI and the app alike) then writes the same run directory.
//   before the first step of a fresh run: evaluate (the untrained model's validation loss, at step 0)
//   after step s:  a metrics row      every log.metricsInterval steps and at the last step
//                  evaluate           every log.evalInterval steps and at the last step
//                  routing statistics every log.routingInterval steps and at the last step, if the model routes
//                  probe              every log.probeInterval steps and at the last step, on the run's probe text
//                  checkpoint         every log.checkpointInterval steps and at the last step
//                  finish             at the last step (the recorder then writes the summary)
import type { Dataset } from '../data';
import type { ExperimentSpec } from '../spec';

/** What the plan needs to know about a run besides its spec. */
export interface RunFacts {
  totalSteps: number;
  /** The model makes expert selections (SwitchHead or MoA attention, or a σ-MoE MLP): routing has something to say. */
  routes: boolean;
}

export interface StepPlan {
  step: number;
  metrics: boolean;
  eval: boolean;
  routing: boolean;
  probe: boolean;
  checkpoint: boolean;
  /** The last step: after the above, the run is finished. */
  last: boolean;
}

export function runFacts(spec: ExperimentSpec): RunFacts {
  return { totalSteps: spec.train.steps, routes: modelRoutes(spec) };
}

/** True when the model selects experts anywhere (dense attention with a dense MLP does not). */
export function modelRoutes(spec: ExperimentSpec): boolean {
  return spec.model.attention.kind !== 'dense' || spec.model.mlp.kind === 'sigma-moe';
}

/** Evaluate before the first step when the run starts at step 0 (a run resumed at step 0 starts over). */
export function evalBeforeTraining(startStep: number): boolean {
  return startStep === 0;
}

/** What is due after `step` (1-based: the step just done). */
export function planStep(log: ExperimentSpec['log'], facts: RunFacts, step: number): StepPlan {
  const last = step >= facts.totalSteps;
  const every = (n: number) => step % n === 0 || last;
  return {
    step,
    metrics: every(log.metricsInterval),
    eval: every(log.evalInterval),
    routing: facts.routes && every(log.routingInterval),
    probe: every(log.probeInterval),
    checkpoint: every(log.checkpointInterval),
    last,
  };
}

/** True when anything besides the metrics row is due (the session flushes its metrics batch first, so the
 *  events of a run arrive in step order). */
export const hasExtras = (p: StepPlan): boolean => p.eval || p.routing || p.probe || p.checkpoint || p.last;

/** The probe text of a run, chosen once: the spec's, unless a synthetic task cannot encode it; then the start of
 *  the first validation example, in the task's own vocabulary. */
export function probeTextFor(
  spec: ExperimentSpec,
  data: Pick<Dataset, 'synthetic' | 'tokenizer' | 'valBatches'>,
): string {
  if (!data.synthetic) return spec.log.probeText;
  try {
    data.tokenizer.encode(spec.log.probeText);
    return spec.log.probeText;
  } catch {
    const b = data.valBatches[0];
    return data.tokenizer.decode(b.input.slice(0, Math.min(b.seqLen, 32)));
  }
}
