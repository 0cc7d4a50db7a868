// The checkpoints of a run directory (rundir.ts): checkpoints/<step>.safetensors, written atomically, the newest
// `keepCheckpoints` kept; the newest that decodes is the one a resume loads.
import * as fs from 'node:fs';
import { CheckpointError, decodeSafetensors, type TensorEntry } from '../safetensors';
import { writeFileAtomic } from './atomic';
import type { RunDir } from './rundir';

export interface LoadedCheckpoint {
  step: number;
  path: string;
  tensors: Record<string, TensorEntry>;
  metadata: Record<string, string>;
}

/** Write a checkpoint atomically, then delete the oldest so that `keepCheckpoints` remain. Returns its path. */
export function writeCheckpoint(run: RunDir, step: number, bytes: Uint8Array): string {
  const file = run.checkpointPath(step);
  fs.mkdirSync(run.checkpointsDir, { recursive: true });
  writeFileAtomic(file, bytes);
  const old = run.listCheckpoints().filter((s) => s !== step);
  for (const s of old.slice(0, Math.max(0, old.length - (run.keepCheckpoints - 1)))) {
    fs.rmSync(run.checkpointPath(s), { force: true });
  }
  return file;
}

/**
 * The newest checkpoint that decodes, or null. Files that fail to decode are skipped; each skip
 * adds a line to `warnings` saying which file and why.
 */
export function latestCheckpoint(run: RunDir): { checkpoint: LoadedCheckpoint | null; warnings: string[] } {
  const warnings: string[] = [];
  for (const step of run.listCheckpoints().reverse()) {
    const file = run.checkpointPath(step);
    try {
      const { tensors, metadata } = decodeSafetensors(fs.readFileSync(file), `checkpoint ${file}`);
      return { checkpoint: { step, path: file, tensors, metadata }, warnings };
    } catch (e) {
      if (!(e instanceof CheckpointError) && (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      warnings.push(`skipped ${(e as Error).message}`);
    }
  }
  return { checkpoint: null, warnings };
}
