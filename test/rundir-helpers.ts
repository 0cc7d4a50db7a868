// What the run-directory tests share: a temporary folder and a small checkpoint.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeSafetensors } from '../engine/safetensors';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rundir-test-'));
}

/** A one-tensor safetensors checkpoint whose weights and metadata name `step`. */
export function checkpointBytes(step: number): Uint8Array {
  return encodeSafetensors(
    { w: { dtype: 'F32', shape: [2], data: new Float32Array([step, -step]) } },
    { step: String(step) },
  );
}
