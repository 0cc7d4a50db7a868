// A training session, free of any transport: requests in (already parsed), events out through `emit`. The loop
// is cooperative: one step, then a yield to the event loop, so pause/stop/setLearningRate/probe are handled
// between steps. engine/worker.ts wraps it for a Web Worker; engine/node/worker-entry.ts for worker_threads.
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, type BackendName } from './backend';
import { buildDataset, type DataSources } from './data';
import { ENGINE_VERSION, parseSpec, type ExperimentSpec } from './spec';
import { loadCheckpoint, saveCheckpointAsync } from './train/checkpoint';
import { probeAsync, trainerRoutingAsync } from './train/routing';
import { NonFiniteLossError, Trainer, type StepReport } from './train/trainer';
import { type BackendSetup, setUpBackend } from './session-backend';
import {
  type DataSourcesMessage,
  type ErrorInfo,
  type FailureReason,
  type Fault,
  type Request,
  type RequestOf,
  type RunState,
  type WorkerEvent,
  errorInfo,
  PROTOCOL_VERSION,
  ProtocolError,
  unreachable,
} from './protocol';
import { MetricsBuffer } from './session-metrics';

export interface SessionHost {
  emit(ev: WorkerEvent): void;
  /** Make a backend loadable before initBackend (Node: WebGPU through Dawn). */
  prepareBackend?(name: BackendName): Promise<void>;
}

/** A lost GPU device (WebGPU device.lost, or an error saying so). The run can restart elsewhere from a checkpoint. */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}

/** A request that is not valid in the session's current state. */
export class StateError extends Error {
  override name = 'StateError';
}

const DEVICE_LOST = /device (was |is |has been )?lost|lost (the )?device|GPUDevice.*lost/i;

export class TrainingSession {
  private trainer: Trainer | null = null;
  private spec: ExperimentSpec | null = null;
  private state: RunState = 'idle';
  private failure: FailureReason | null = null;
  private metrics = new MetricsBuffer();
  private fault: Fault | null = null;
  private backend: BackendSetup | null = null;
  private tensorsBeforeInit = 0;
  private looping = false;
  private probeOff = false;
  private generation = 0; // bumped by every init/dispose: stale device-lost callbacks are ignored
  private queue: Promise<unknown> = Promise.resolve(); // trainer work runs one piece at a time (see exclusive)

  constructor(private readonly host: SessionHost) {}

  /** Handle one validated request. Throws what failed; the caller turns it into a failed event for this request. */
  async handle(r: Request): Promise<void> {
    switch (r.type) {
      case 'init':
        return this.init(r);
      case 'start':
        return this.run(r, ['ready', 'paused']);
      case 'resume':
        return this.run(r, ['paused', 'ready']);
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
        if (this.state === 'ready' || this.state === 'running' || this.state === 'paused') this.setState('stopped');
        await this.exclusive(async () => undefined); // no step may finish after the acknowledgement
        return this.ack(r);
      case 'setLearningRate':
        this.need(r).setLearningRate(r.lr);
        return this.ack(r);
      case 'probe':
        this.host.emit({
          type: 'probe',
          requestId: r.id,
          report: await this.exclusive(() => probeAsync(this.usable(r), r.text)),
        });
        return this.ack(r);
      case 'evaluate':
        this.host.emit({
          type: 'eval',
          requestId: r.id,
          report: await this.exclusive(() => this.usable(r).evaluateAsync()),
        });
        return this.ack(r);
      case 'routing':
        this.host.emit({
          type: 'routing',
          requestId: r.id,
          report: await this.exclusive(() => trainerRoutingAsync(this.usable(r))),
        });
        return this.ack(r);
      case 'saveCheckpoint': {
        const tr = this.usable(r);
        const bytes = await this.exclusive(() => saveCheckpointAsync(tr));
        this.host.emit({ type: 'checkpoint', requestId: r.id, step: tr.stepCount, bytes });
        return this.ack(r);
      }
      case 'injectFault':
        this.fault = r.fault;
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
    this.tensorsBeforeInit = tf.memory().numTensors;
    const dataset = buildDataset(spec, await resolveSources(r.sources));
    const trainer = new Trainer(spec, dataset);
    try {
      if (r.checkpoint) loadCheckpoint(trainer, r.checkpoint, 'checkpoint (init request)');
    } catch (e) {
      trainer.dispose();
      throw e;
    }
    this.trainer = trainer;
    this.spec = spec;
    this.metrics = new MetricsBuffer();
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

  private run(r: Request, from: RunState[]): void {
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
      while (this.state === 'running') {
        await yieldToEvents();
        if (this.state !== 'running') break;
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

  /** One step plus what is due after it. A failure ends the run with a failed event; it never escapes. */
  private async advance(requestId?: number): Promise<boolean> {
    const tr = this.trainer!;
    const spec = this.spec!;
    try {
      this.injected(tr.stepCount + 1);
      const report = await tr.stepAsync();
      this.record(report, spec);
      const s = report.step,
        log = spec.log;
      if (s % log.evalInterval === 0 || s === spec.train.steps)
        this.host.emit({ type: 'eval', report: await tr.evaluateAsync() });
      if (s % log.routingInterval === 0) this.host.emit({ type: 'routing', report: await trainerRoutingAsync(tr) });
      if (s % log.probeInterval === 0) await this.periodicProbe(tr, log.probeText);
      if (s % log.checkpointInterval === 0)
        this.host.emit({ type: 'checkpoint', step: s, bytes: await saveCheckpointAsync(tr) });
      if (s >= spec.train.steps) {
        this.flush();
        this.setState('finished');
        this.host.emit({ type: 'finished', step: s, tokens: tr.tokens, time_s: tr.elapsedS });
      } else if (requestId !== undefined) this.flush();
      return true;
    } catch (e) {
      this.fail(e, requestId);
      return false;
    }
  }

  private record(r: StepReport, spec: ExperimentSpec): void {
    if (r.step % spec.log.metricsInterval === 0 || r.step === spec.train.steps) this.metrics.push(r);
    if (this.metrics.due()) this.flush();
  }

  private flush(): void {
    const ev = this.metrics.drain(memory());
    if (ev) this.host.emit(ev);
  }

  private async periodicProbe(tr: Trainer, text: string): Promise<void> {
    if (this.probeOff) return;
    try {
      this.host.emit({ type: 'probe', report: await probeAsync(tr, text) });
    } catch (e) {
      this.probeOff = true;
      this.host.emit({ type: 'warning', message: `periodic probe disabled: ${(e as Error).message}` });
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

  /** The run is over: report why, keep the trainer (a checkpoint may still be saved unless the device is gone). */
  private fail(e: unknown, requestId?: number): void {
    if (this.state === 'failed' || this.state === 'idle') return;
    this.flush();
    const reason = classify(e);
    this.failure = reason;
    this.setState('failed');
    const err: ErrorInfo = errorInfo(e);
    this.host.emit({ type: 'failed', requestId, reason, fatal: true, step: this.trainer?.stepCount, error: err });
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
    this.trainer?.dispose();
    this.trainer = null;
    this.spec = null;
    this.failure = null;
    this.probeOff = false;
    this.metrics = new MetricsBuffer();
    this.setState('idle');
  }

  private setState(s: RunState): void {
    if (s === this.state) return;
    if (s === 'paused' || s === 'stopped') this.flush();
    this.state = s;
    this.host.emit({ type: 'state', state: s, step: this.trainer?.stepCount ?? 0 });
  }

  private ack(r: Request): void {
    this.host.emit({
      type: 'ack',
      requestId: r.id,
      request: r.type,
      state: this.state,
      step: this.trainer?.stepCount ?? 0,
    });
  }

  private need(r: Request): Trainer {
    if (!this.trainer) throw new StateError(`"${r.type}" needs an initialised session: send init first`);
    return this.trainer;
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

export function classify(e: unknown): FailureReason {
  if (e instanceof DeviceLostError || (e instanceof Error && DEVICE_LOST.test(e.message))) return 'device-lost';
  if (e instanceof NonFiniteLossError) return 'non-finite';
  return 'error';
}

async function resolveSources(s: DataSourcesMessage | undefined): Promise<DataSources> {
  if (!s) return {};
  const out: DataSources = {};
  const docs = [...(s.documents ?? [])];
  for (const d of s.documentUrls ?? []) docs.push({ name: d.name, text: await fetchText(d.url) });
  if (docs.length) out.documents = docs;
  out.bpeMerges = s.bpeMerges ?? (s.bpeMergesUrl ? await fetchText(s.bpeMergesUrl) : undefined);
  return out;
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not fetch data from ${url}: HTTP ${res.status}`);
  return res.text();
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
