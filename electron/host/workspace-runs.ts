// Reading the runs of the workspace (`runs/<id>/`, DESIGN 2.2), the app's and the CLI's alike: the listing with
// each run's status, incremental reads of its JSONL streams, probes and checkpoint files. Listing is cheap enough to
// poll: a run's files are stat'ed, and spec.json, writer.json and summary.json are only re-read when they change;
// the status is worked out from them (engine/node/rundir.ts statusOf) on every listing, as writers die or go quiet
// without touching a file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunListing, RunRead } from '../../engine/contracts/platform';
import type { WriterClaim } from '../../engine/contracts/run-files';
import { readJson } from '../../engine/node/atomic';
import { RunDir, isRunId, statusOf, type RunState } from '../../engine/node/rundir';
import type { AppClaims } from './app-claims';
import { notFound } from './errors';
import { lastStepOf, readRowsFrom } from './jsonl-tail';
import type { WorkspacePaths } from './workspace-paths';

const WATCHED = ['spec.json', 'metrics.jsonl', 'routing.jsonl', 'summary.json', 'writer.json', 'probes', 'checkpoints'];

interface Cached {
  sig: string;
  listing: Omit<RunListing, 'status'>;
  state: RunState;
}

/** What the listing reads of spec.json (engine/contracts/run-files.ts RunSpecFile), which may be damaged. */
export interface SpecFileView {
  spec?: { name?: unknown; train?: { steps?: unknown } };
  backend?: { name?: unknown };
  createdAt?: unknown;
  command?: unknown;
  commit?: unknown;
}

/**
 * Who writes a run now (its writer.json), or last wrote it: the PyTorch export (spec.json's backend "pytorch",
 * engine/node/export/python/train.py), the CLI (its command line or git commit, engine/node/run-origin.ts), else
 * the app (a backend, neither of those); null when spec.json is not a RunSpecFile (unreadable, no backend).
 */
export function writerOf(file: SpecFileView | null, claim: WriterClaim | null): RunListing['writer'] {
  if (claim) return claim.kind;
  if (!file?.spec) return null;
  if (file.backend?.name === 'pytorch') return 'export';
  if (typeof file.command === 'string' || typeof file.commit === 'string') return 'cli';
  return typeof file.backend?.name === 'string' ? 'app' : null;
}

export class RunStore {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly paths: WorkspacePaths,
    private readonly claims: AppClaims,
  ) {}

  /** Every run (a folder with a valid id and a spec.json), newest id first. */
  list(): RunListing[] {
    const root = this.paths.runsDir;
    if (!fs.existsSync(root)) return [];
    this.paths.checkReal(root, 'runs');
    const seen = new Set<string>();
    const out: RunListing[] = [];
    for (const id of fs.readdirSync(root).sort().reverse()) {
      if (!isRunId(id)) continue;
      try {
        const l = this.listingOrNull(id);
        if (l) out.push(l);
        seen.add(id);
      } catch {
        // a symlink out of the workspace, or a run removed meanwhile: not listed
      }
    }
    for (const id of this.cache.keys()) if (!seen.has(id)) this.cache.delete(id);
    return out;
  }

  /** One run's listing; NotFound when it is not a run. */
  listing(id: string): RunListing {
    const l = this.listingOrNull(id);
    if (!l) throw notFound(`run "${id}"`);
    return l;
  }

  /** The run's folder, checked to be inside the workspace and to exist. */
  dir(id: string): string {
    const dir = this.paths.runPath(id);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw notFound(`run "${id}"`);
    return dir;
  }

  open(id: string): RunDir {
    this.dir(id);
    return RunDir.open(this.paths.runsDir, id);
  }

  /** Rows appended since the given byte offsets, with the listing, spec and summary. */
  read(id: string, offsets: { metricsOffset: number; routingOffset: number }): RunRead {
    const run = this.open(id);
    const listing = this.listing(id);
    const m = readRowsFrom(run.metricsPath, offsets.metricsOffset);
    const r = readRowsFrom(run.routingPath, offsets.routingOffset);
    const read: RunRead = {
      listing,
      specFile: readJson(run.specPath),
      summary: run.readSummary(),
      metrics: m.rows,
      routing: r.rows,
      metricsOffset: m.offset,
      routingOffset: r.offset,
    };
    if (m.restarted || r.restarted) read.restarted = true;
    return read;
  }

  readProbe(id: string, step: number): unknown {
    const run = this.open(id);
    const file = run.probePath(step);
    if (!fs.existsSync(file)) throw notFound(`probe of step ${step} in run "${id}"`);
    this.paths.checkReal(file);
    return run.readProbe(step);
  }

  /** Path of an existing checkpoint file (for streaming or reading). */
  checkpointFile(id: string, step: number): string {
    const file = this.open(id).checkpointPath(step);
    if (!fs.existsSync(file)) throw notFound(`checkpoint of step ${step} in run "${id}"`);
    this.paths.checkReal(file);
    return file;
  }

  private listingOrNull(id: string): RunListing | null {
    const dir = this.paths.runPath(id);
    const stats = WATCHED.map((f) => statOrNull(path.join(dir, f)));
    if (!stats[0]?.isFile()) return null; // no spec.json: not a run (or not yet)
    const sig = stats.map((s) => (s ? `${s.mtimeMs}:${s.size}:${s.ino}` : '-')).join('|');
    let c = this.cache.get(id);
    if (!c || c.sig !== sig) {
      const run = RunDir.open(this.paths.runsDir, id);
      const state = run.state();
      c = { sig, listing: this.build(run, stats, state.claim), state };
      this.cache.set(id, c);
    }
    return { ...c.listing, status: statusOf(c.state, id, this.claims.claimLive) };
  }

  private build(run: RunDir, stats: (fs.Stats | null)[], claim: WriterClaim | null): Omit<RunListing, 'status'> {
    const [spec, metrics, routing, summary] = stats;
    let file: SpecFileView | null = null;
    try {
      file = readJson<SpecFileView>(run.specPath);
    } catch {
      // unreadable spec.json: listed under its id
    }
    const id = run.id;
    const steps = file?.spec?.train?.steps;
    return {
      id,
      name: typeof file?.spec?.name === 'string' ? file.spec.name : id,
      writer: writerOf(file, claim),
      createdAt: typeof file?.createdAt === 'string' ? file.createdAt : null,
      updatedMs: Math.max(...[spec, metrics, routing, summary].map((s) => s?.mtimeMs ?? 0)),
      lastStep: metrics ? lastStepOf(run.metricsPath) : 0,
      totalSteps: typeof steps === 'number' ? steps : 0,
      metricsBytes: metrics?.size ?? 0,
      routingBytes: routing?.size ?? 0,
      probes: run.listProbes(),
      checkpoints: run.listCheckpoints(),
    };
  }
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}
