// Node host of the engine worker: the same worker code and protocol as the app, over worker_threads (tests, tools)
// or in-process (the CLI). Data is loaded here, on the host (engine/node/corpus.ts), and sent as text in the init message.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../backend';
import { type ClientOptions, type Endpoint, type EndpointListener, WorkbenchClient } from '../client';
import { PROTOCOL_VERSION, type ReadyEvent, type RequestBody } from '../protocol';
import { parseSpec } from '../spec';
import { serve } from '../worker';
import { prepareNodeBackend } from './backend';
import { loadDataSources } from './corpus';
import { DEFAULT_ICD } from './webgpu';

const ENTRY = new URL('./worker-entry.ts', import.meta.url);

export interface NodeWorkerOptions extends ClientOptions {
  /** Passed to the Worker (e.g. { maxOldGenerationSizeMb }). */
  resourceLimits?: ConstructorParameters<typeof Worker>[1] extends infer O
    ? O extends { resourceLimits?: infer R }
      ? R
      : never
    : never;
}

/**
 * Start the engine in a worker thread and return a client for it. The worker runs the TypeScript entry through
 * tsx's loader, registered by a small bootstrap (a .ts Worker entry is not picked up by `--import tsx` in Node 20).
 * Messages sent before the entry has loaded wait in the port's queue.
 */
export function spawnEngineWorker(opts: NodeWorkerOptions = {}): WorkbenchClient {
  // A worker's process.env is a private copy: Dawn (native) reads the real environment, so set the ICD here.
  if (!process.env.VK_ICD_FILENAMES && existsSync(DEFAULT_ICD)) process.env.VK_ICD_FILENAMES = DEFAULT_ICD;
  const tsxCjs = createRequire(import.meta.url).resolve('tsx/esm/api'); // .../dist/esm/api/index.cjs
  const tsx = pathToFileURL(tsxCjs.replace(/\.cjs$/, '.mjs')).href;
  const boot =
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(ENTRY.href)}); })` +
    `.catch((e) => { setTimeout(() => { throw e; }); });`;
  const worker = new Worker(boot, { eval: true, resourceLimits: opts.resourceLimits });
  return new WorkbenchClient(workerEndpoint(worker), opts);
}

/** worker_threads' Worker as the Web-Worker-shaped endpoint WorkbenchClient expects. Exit counts as an error. */
export function workerEndpoint(worker: Worker): Endpoint {
  type NodeListener = Parameters<Worker['on']>[1];
  const wrapped = new Map<EndpointListener, Array<[string, NodeListener]>>();
  const add = (listener: EndpointListener, event: string, fn: NodeListener) => {
    worker.on(event, fn);
    wrapped.set(listener, [...(wrapped.get(listener) ?? []), [event, fn]]);
  };
  return {
    postMessage: (m, transfer) => worker.postMessage(m, (transfer ?? []) as ArrayBuffer[]),
    addEventListener(type, listener) {
      if (type === 'message') add(listener, 'message', (data: unknown) => listener({ data }));
      else if (type === 'messageerror') add(listener, 'messageerror', (error: Error) => listener({ error }));
      else {
        add(listener, 'error', (error: Error) => listener({ error, message: error.message }));
        add(listener, 'exit', (code: number) => listener({ message: `worker thread exited with code ${code}` }));
      }
    },
    removeEventListener(_type, listener) {
      for (const [event, fn] of wrapped.get(listener) ?? []) worker.off(event, fn);
      wrapped.delete(listener);
    },
    terminate: () => void worker.terminate(),
  };
}

export interface NodeInitOptions {
  backend?: BackendName[]; // default: wasm, then cpu (DESIGN §3: the Node default is wasm)
  checkpoint?: Uint8Array;
}

/** The init request for a spec, with its corpus / BPE merges loaded from disk here on the host. */
export function nodeInitBody(specInput: unknown, opts: NodeInitOptions = {}): RequestBody<'init'> {
  const spec = parseSpec(specInput); // fail fast, naming the field, before any file is read
  return {
    protocol: PROTOCOL_VERSION,
    spec: specInput,
    sources: loadDataSources(spec),
    backend: opts.backend ?? ['wasm', 'cpu'],
    checkpoint: opts.checkpoint,
  };
}

/** Spawn a worker and initialise it for `specInput`; resolves with the client and the ready event. */
export async function startNodeSession(
  specInput: unknown,
  opts: NodeInitOptions & NodeWorkerOptions = {},
): Promise<{ client: WorkbenchClient; ready: ReadyEvent }> {
  const client = spawnEngineWorker(opts);
  try {
    return { client, ready: await client.request('init', nodeInitBody(specInput, opts)) };
  } catch (e) {
    client.dispose();
    throw e;
  }
}

/**
 * The engine in this thread: the same serve() and protocol as spawnEngineWorker, over an in-process port (the CLI:
 * no thread to start, signals handled between steps). Events reach the client synchronously, uncloned. Send
 * `dispose` before dispose(): terminating only disconnects.
 */
export function inlineEngineWorker(opts: ClientOptions = {}): WorkbenchClient {
  const toHost = new Set<(e: { data: unknown }) => void>();
  let toEngine: ((e: { data: unknown }) => void) | null = null;
  serve(
    {
      postMessage: (m) => toHost.forEach((l) => l({ data: m })),
      addEventListener: (_type, listener) => (toEngine = listener),
    },
    { prepareBackend: prepareNodeBackend },
  );
  const endpoint: Endpoint = {
    postMessage: (m) => toEngine?.({ data: m }),
    addEventListener: (type, listener) => void (type === 'message' && toHost.add(listener)),
    removeEventListener: (_type, listener) => void toHost.delete(listener),
    terminate: () => {
      toEngine = null;
      toHost.clear();
    },
  };
  return new WorkbenchClient(endpoint, opts);
}
