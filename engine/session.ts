// A training session, free of any transport: requests in (already parsed), events out through `emit`. This is THE
// run loop, for the app and the CLI alike: its run (session-run.ts) follows engine/run/plan.ts (what is due before
// and after each step) and emits events in step order; engine/run/recorder.ts turns them into the run directory. The loop is
// cooperative: one step, then a yield to the event loop, so pause/stop/setLearningRate/probe (and, in Node,
// signals) are handled between steps. engine/worker.ts wraps it for a Web Worker; engine/node/worker-entry.ts for
// worker_threads; engine/node/worker-host.ts inlineEngineWorker() in-process (the CLI).
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, type BackendName } from './backend';
import { buildDataset } from './data';
import { ENGINE_VERSION, parseSpec } from './spec';
import { loadCheckpoint } from './train/checkpoint';
import { Trainer } from './train/trainer';
import { type BackendSetup, setUpBackend } from './session-backend';
import {
  type ErrorInfo,
  type FailureReason,
  type Request,
  type RequestOf,
  type RunState,
  type WorkerEvent,
  errorInfo,
  PROTOCOL_VERSION,
  ProtocolError,
  unreachable,
} from './protocol';
import { SessionRun } from './session-run';
import { classify, DeviceLostError, StateError } from './session-errors';
import { resolveSources } from './session-sources';
import { readRequest, trainerReads, type TrainerReads } from './session-reads';
import { tokenizeText } from './train/probe';

export { classify, DeviceLostError, StateError };

export interface SessionHost {
  emit(ev: WorkerEvent): void;
  /** Make a backend loadable before initBackend (Node: WebGPU through Dawn). */
  prepareBackend?(name: BackendName): Promise<void>;
}

export class TrainingSession {
  private run: SessionRun | null = null;
  private state: RunState = 'idle';
  private failure: FailureReason | null = null;
  private backend: BackendSetup | null = null;
  private reads: TrainerReads = trainerReads('webgpu');
  private tensorsBeforeInit = 0;
  private looping = false;
  private halting = false; // a stop waits for the step in flight: no new step starts meanwhile
  private generation = 0; // bumped by every init/dispose: stale device-lost callbacks are ignored
  private queue: Promise<unknown> = Promise.resolve(); // trainer work runs one piece at a time (see exclusive)

  constructor(private readonly host: SessionHost) {}

  /** Handle one validated request. Throws what failed; the caller turns it into a failed event for this request. */
  async handle(r: Request): Promise<void> {
    switch (r.type) {
      case 'init':
        return this.init(r);
      case 'start':
        return this.go(r, ['ready', 'paused']);
      case 'resume':
        return this.go(r, ['paused', 'ready']);
      case 'pause':
        if (this.state === 'paused') return this.ack(r);
        this.expect(r, ['running']);
        this.setState('paused');
        await this.exclusive(async () => undefined); // acknowledge once the step in flight has finished
        return this.ack(r);
      case 'step': {
        this.expect(r, ['ready', 'paused']);
        this.setState('paused');
        if (await this.exclusive(() => this.advance(r.id))) this.ack(r); // else a fatal failed event already answered it
        return;
      }
      case 'stop':
        this.need(r);
        // Let the step in flight finish first (it may be the last: then the run is finished, not stopped), so that
        // 'stopped' comes after every event of the run and no step finishes after the acknowledgement.
        this.halting = true;
        await this.exclusive(async () => undefined);
        this.halting = false;
        if (this.state === 'ready' || this.state === 'running' || this.state === 'paused') this.setState('stopped');
        return this.ack(r);
      case 'setLearningRate':
        this.need(r).setLearningRate(r.lr);
        return this.ack(r);
      case 'probe':
      case 'evaluate':
      case 'routing':
      case 'atlas':
      case 'trace': // read the model between steps, never inside one (see exclusive)
        this.host.emit(await this.exclusive(() => readRequest(this.reads, this.usable(r), r)));
        return this.ack(r);
      case 'tokenize':
        this.host.emit({ type: 'tokens', requestId: r.id, report: tokenizeText(this.need(r), r.text) });
        return this.ack(r);
      case 'saveCheckpoint': {
        this.usable(r);
        const run = this.run!;
        await this.exclusive(() => run.checkpoint(r.id));
        return this.ack(r);
      }
      case 'injectFault':
        this.need(r);
        this.run!.fault = r.fault;
        return this.ack(r);
      case 'dispose':
        this.teardown();
        this.setState('idle');
        this.host.emit({
          type: 'disposed',
          requestId: r.id,
          numTensors: memory().numTensors,
          tensorsBeforeInit: this.tensorsBeforeInit,
        });
        return this.ack(r);
      default:
        return unreachable(r);
    }
  }

  private async init(r: RequestOf<'init'>): Promise<void> {
    if (r.protocol !== PROTOCOL_VERSION)
      throw new ProtocolError(
        `protocol version ${r.protocol} is not supported (this worker speaks ${PROTOCOL_VERSION})`,
      );
    const spec = parseSpec(r.spec); // a bad spec leaves the current session as it was
    this.teardown();
    const gen = this.generation;
    this.backend = await setUpBackend(r.backend ?? BACKEND_ORDER, {
      prepare: this.host.prepareBackend,
      wasmPaths: r.wasmPaths,
    });
    this.watchDevice(gen);
    this.reads = trainerReads(this.backend.name);
    this.tensorsBeforeInit = tf.memory().numTensors;
    const dataset = buildDataset(spec, await resolveSources(r.sources));
    const trainer = new Trainer(spec, dataset);
    try {
      if (r.checkpoint) loadCheckpoint(trainer, r.checkpoint, 'checkpoint (init request)');
    } catch (e) {
      trainer.dispose();
      throw e;
    }
    this.run = new SessionRun(trainer, spec, dataset, this.reads, (ev) => this.host.emit(ev), !!r.checkpoint);
    this.setState('ready');
    const params = Object.values(trainer.params).reduce((s, p) => s + p.size, 0);
    const b = this.backend;
    this.host.emit({
      type: 'ready',
      requestId: r.id,
      protocol: PROTOCOL_VERSION,
      engineVersion: ENGINE_VERSION,
      backend: b.name,
      adapter: b.adapter,
      fallbacks: b.fallbacks,
      limits: b.limits,
      params,
      vocab: dataset.vocabSize,
      dataset: dataset.description,
      spec,
      step: trainer.stepCount,
      totalSteps: spec.train.steps,
      tensorsBeforeInit: this.tensorsBeforeInit,
    });
    this.ack(r);
  }

  private go(r: Request, from: RunState[]): void {
    if (this.state === 'running') return this.ack(r);
    this.expect(r, from);
    this.setState('running');
    this.ack(r);
    void this.loop();
  }

  private async loop(): Promise<void> {
    if (this.looping) return;
    this.looping = true;
    try {
      while (this.state === 'running' && !this.halting) {
        await yieldToEvents();
        if (this.state !== 'running' || this.halting) break;
        await this.exclusive(() => this.advance());
      }
    } finally {
      this.looping = false;
    }
  }

  /** Run trainer work after whatever trainer work is in flight: reads are asynchronous (WebGPU needs that), so a
   *  probe or checkpoint request must not land between a step's batch and its update. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** One step of the run and what is due around it; at the last step, finished. A failure ends the run with a
   *  failed event; it never escapes. */
  private async advance(requestId?: number): Promise<boolean> {
    const run = this.run!;
    try {
      if (await run.advance(requestId !== undefined)) {
        run.flush();
        this.setState('finished');
        const tr = run.trainer;
        this.host.emit({ type: 'finished', step: tr.stepCount, tokens: tr.tokens, time_s: tr.elapsedS });
      }
      return true;
    } catch (e) {
      this.fail(e, requestId);
      return false;
    }
  }

  private flush(): void {
    this.run?.flush();
  }

  /** The run is over: report why, keep the trainer (a checkpoint may still be saved unless the device is gone). */
  private fail(e: unknown, requestId?: number): void {
    if (this.state === 'failed' || this.state === 'idle') return;
    this.flush();
    const reason = classify(e);
    this.failure = reason;
    this.setState('failed');
    const err: ErrorInfo = errorInfo(e);
    this.host.emit({ type: 'failed', requestId, reason, fatal: true, step: this.run?.trainer.stepCount, error: err });
  }

  /** WebGPU: a lost device (driver reset, GPU removed) fails the run right away, even while paused. */
  private watchDevice(gen: number): void {
    if (this.backend?.name !== 'webgpu') return;
    const device = (tf.backend() as unknown as { device?: { lost: Promise<{ reason: string; message: string }> } })
      .device;
    void device?.lost.then((info) => {
      // The session never destroys its device itself, so 'destroyed' counts too (Chromium reports a device it
      // killed after a failed readback that way); a device of an earlier init (older generation) is ignored.
      if (gen !== this.generation) return;
      this.fail(new DeviceLostError(`GPU device was lost: ${info.message || info.reason}`));
    });
  }

  private teardown(): void {
    this.generation++;
    if (this.state !== 'idle' && this.state !== 'failed') this.flush();
    this.run?.trainer.dispose();
    this.run = null;
    this.failure = null;
    this.setState('idle');
  }

  private setState(s: RunState): void {
    if (s === this.state) return;
    if (s === 'paused' || s === 'stopped') this.flush();
    this.state = s;
    this.host.emit({ type: 'state', state: s, step: this.run?.trainer.stepCount ?? 0 });
  }

  private ack(r: Request): void {
    this.host.emit({
      type: 'ack',
      requestId: r.id,
      request: r.type,
      state: this.state,
      step: this.run?.trainer.stepCount ?? 0,
    });
  }

  private need(r: Request): Trainer {
    if (!this.run) throw new StateError(`"${r.type}" needs an initialised session: send init first`);
    return this.run.trainer;
  }

  /** The trainer, unless its device is gone. */
  private usable(r: Request): Trainer {
    const tr = this.need(r);
    if (this.failure === 'device-lost')
      throw new StateError(
        `"${r.type}" is impossible: the GPU device was lost; init again (e.g. on wasm) from the last checkpoint`,
      );
    return tr;
  }

  private expect(r: Request, from: RunState[]): void {
    this.need(r);
    if (!from.includes(this.state))
      throw new StateError(
        `"${r.type}" is not possible while the session is ${this.state} (allowed: ${from.join(', ')})`,
      );
  }
}

/** tf.memory(), or zeros before any backend is chosen (tf.memory() would start initialising one, and throw). */
function memory(): { numTensors: number; numBytes: number } {
  return tf.engine().backendName ? tf.memory() : { numTensors: 0, numBytes: 0 };
}

/** Let queued messages run: a MessageChannel hop (no 4 ms timer clamp) where there is one, else setTimeout(0). */
function yieldToEvents(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((r) => setTimeout(r, 0));
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}
