// One run inside a training session: a trainer plus the run plan (engine/run/plan.ts) it follows. `advance` does one
// step and everything due around it, emitting the run's events in step order (the metrics batch is flushed before
// any other event). The session (engine/session.ts) owns the states, requests and failures around it.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from './data';
import type { Fault, WorkerEvent } from './protocol';
import { evalBeforeTraining, hasExtras, planStep, probeTextFor, runFacts, type RunFacts } from './run/plan';
import { DeviceLostError } from './session-errors';
import { MetricsBuffer } from './session-metrics';
import type { TrainerReads } from './session-reads';
import type { ExperimentSpec } from './spec';
import { NonFiniteLossError, type Trainer } from './train/trainer';

export class SessionRun {
  readonly facts: RunFacts;
  fault: Fault | null = null;
  private probeText: string | null; // chosen once per run; null once a periodic probe failed
  private evalFirst: boolean; // a run that starts at step 0 evaluates the untrained model first
  private checkpointedAt: number; // the step of the newest checkpoint (saved, or the one this run started from)
  private metrics = new MetricsBuffer();

  constructor(
    readonly trainer: Trainer,
    readonly spec: ExperimentSpec,
    dataset: Dataset,
    private readonly reads: TrainerReads,
    private readonly emit: (ev: WorkerEvent) => void,
    restored: boolean,
  ) {
    this.facts = runFacts(spec);
    this.probeText = probeTextFor(spec, dataset);
    this.evalFirst = evalBeforeTraining(trainer.stepCount);
    this.checkpointedAt = restored ? trainer.stepCount : -1;
  }

  /** One step and what is due around it. Resolves true when the run has reached its last step (then `finished`
   *  is the session's to announce). Throws what failed, after checkpointing the last good state of a step that
   *  stopped on a non-finite loss. `flushNow`: send this step's metrics at once (a single `step` request). */
  async advance(flushNow: boolean): Promise<boolean> {
    const tr = this.trainer;
    try {
      if (this.evalFirst) {
        this.evalFirst = false;
        this.emit({ type: 'eval', report: await this.reads.evaluate(tr) });
      }
      if (tr.stepCount >= this.facts.totalSteps) return true; // resumed from the final checkpoint
      this.injected(tr.stepCount + 1);
      const report = await this.reads.step(tr);
      const plan = planStep(this.spec.log, this.facts, report.step);
      if (plan.metrics) this.metrics.push(report);
      if (hasExtras(plan) || flushNow || this.metrics.due()) this.flush();
      if (plan.eval) this.emit({ type: 'eval', report: await this.reads.evaluate(tr) });
      if (plan.routing) this.emit({ type: 'routing', report: await this.reads.routing(tr) });
      if (plan.probe) await this.periodicProbe();
      if (plan.checkpoint) await this.checkpoint();
      return plan.last;
    } catch (e) {
      await this.saveLastGood(e);
      throw e;
    }
  }

  async checkpoint(requestId?: number): Promise<void> {
    const tr = this.trainer;
    const bytes = await this.reads.checkpoint(tr);
    this.checkpointedAt = tr.stepCount;
    this.emit({ type: 'checkpoint', requestId, step: tr.stepCount, bytes });
  }

  /** Send the buffered metrics rows now. */
  flush(): void {
    const ev = this.metrics.drain(tf.memory());
    if (ev) this.emit(ev);
  }

  /** A step that stopped on a non-finite loss or gradient applied no update: checkpoint that last good state
   *  (unless it already is), so the run can go on from it, e.g. with a lower learning rate. */
  private async saveLastGood(e: unknown): Promise<void> {
    const bad = e instanceof NonFiniteLossError && e.what !== 'validation loss';
    if (!bad || this.checkpointedAt === this.trainer.stepCount) return;
    this.flush();
    try {
      await this.checkpoint();
    } catch {
      // the failed event that follows reports the first problem
    }
  }

  private async periodicProbe(): Promise<void> {
    if (this.probeText === null) return;
    try {
      this.emit({ type: 'probe', report: await this.reads.probe(this.trainer, this.probeText, { truncate: true }) });
    } catch (e) {
      this.probeText = null;
      this.emit({ type: 'warning', message: `periodic probe disabled: ${(e as Error).message}` });
    }
  }

  private injected(step: number): void {
    const f = this.fault;
    if (!f || f.atStep !== step) return;
    this.fault = null;
    if (f.kind === 'device-lost')
      throw new DeviceLostError(`GPU device was lost at step ${step} (simulated by injectFault)`);
    if (f.kind === 'nan') throw new NonFiniteLossError(step, 'loss', NaN);
    throw new Error(`injected error at step ${step}`);
  }
}
