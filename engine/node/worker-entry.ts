// The engine worker under Node worker_threads: the same serve() as the Web Worker, over parentPort, with Dawn
// (the `webgpu` package) made available when a session asks for the webgpu backend.
import { parentPort } from 'node:worker_threads';
import { serve } from '../worker';
import { prepareNodeBackend } from './backend';

if (!parentPort)
  throw new Error('engine/node/worker-entry.ts must run as a worker_threads worker (use spawnEngineWorker)');
const port = parentPort;
serve(
  {
    postMessage: (m, transfer) => port.postMessage(m, (transfer ?? []) as ArrayBuffer[]),
    addEventListener: (_type, listener) => port.on('message', (data: unknown) => listener({ data })),
  },
  { prepareBackend: prepareNodeBackend },
);
