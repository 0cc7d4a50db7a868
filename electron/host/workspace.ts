// The workspace store: one object that answers every Platform operation (engine/contracts/platform.ts) on a
// workspace folder. The web host (server.ts) and, later, the Electron main process call `call(op, args, ctx)` with
// the raw payload; it is validated with the contract's schemas here, so no caller can skip that. `ctx.clientId`
// names the page asking (runs it writes are tied to it, see app-claims.ts).
import { readFileSync as readFile } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import {
  PLATFORM_OPS,
  PlatformError,
  parsePlatformArgs,
  type PlatformOp,
  type PlatformResults,
} from '../../engine/contracts/platform';
import { ENGINE_VERSION } from '../../engine/spec';
import { AppClaims } from './app-claims';
import { conflict, toPlatformError } from './errors';
import { RunWriter } from './run-writes';
import { loadSpecSources } from './workspace-data';
import { exportPyTorch } from './workspace-export';
import { NotebookStore } from './workspace-notebooks';
import { WorkspacePaths } from './workspace-paths';
import { RunStore } from './workspace-runs';
import { moveToTrash } from './workspace-trash';

export interface OpContext {
  /** The page (tab or window) making the request; runs it creates or claims are tied to it. */
  clientId: string;
}

export interface WorkspaceOptions {
  root: string;
  host?: 'web' | 'electron';
  /** How long an app run stays "running" after its page went away (ms). Default 3000. */
  graceMs?: number;
  /** Checkpoints kept per app run (the newest by step). Default 3. */
  keepCheckpoints?: number;
}

type Args<K extends PlatformOp> = z.output<(typeof PLATFORM_OPS)[K]>;
type Handlers = {
  [K in PlatformOp]: (args: Args<K>, ctx: OpContext) => PlatformResults[K] | Promise<PlatformResults[K]>;
};

export class Workspace {
  readonly paths: WorkspacePaths;
  readonly claims: AppClaims;
  readonly notebooks: NotebookStore;
  readonly runs: RunStore;
  readonly writer: RunWriter;

  constructor(readonly options: WorkspaceOptions) {
    this.paths = new WorkspacePaths(options.root);
    this.paths.ensure();
    this.claims = new AppClaims(options.graceMs ?? 3000);
    this.notebooks = new NotebookStore(this.paths);
    this.runs = new RunStore(this.paths, this.claims);
    this.writer = new RunWriter(this.paths, this.runs, this.claims, options.keepCheckpoints ?? 3);
  }

  /** Validate `rawArgs` against the operation's schema and run it; every failure is a PlatformError. */
  async call<K extends PlatformOp>(op: K, rawArgs: unknown, ctx: OpContext): Promise<PlatformResults[K]> {
    const args = parsePlatformArgs(op, rawArgs);
    this.claims.seen(ctx.clientId);
    try {
      return await (this.handlers[op] as (a: Args<K>, c: OpContext) => PlatformResults[K])(args, ctx);
    } catch (e) {
      throw toPlatformError(e, `${op}(${describeArgs(args)})`);
    }
  }

  /** One handler per operation; the compiler checks the table is complete and each result's type. */
  readonly handlers: Handlers = {
    workspaceInfo: () => ({
      root: this.paths.root,
      name: path.basename(this.paths.root),
      engineVersion: ENGINE_VERSION,
      host: this.options.host ?? 'web',
    }),
    listNotebooks: () => this.notebooks.list(),
    readNotebook: ([name]) => this.notebooks.read(name),
    writeNotebook: ([name, text, base]) => this.notebooks.write(name, text, base),
    createNotebook: ([name, text]) => this.notebooks.create(name, text),
    renameNotebook: ([from, to]) => this.notebooks.rename(from, to),
    trashNotebook: ([name]) => void this.notebooks.trash(name),
    listRuns: () => this.runs.list(),
    readRun: ([id, offsets]) => this.runs.read(id, offsets),
    readProbe: ([id, step]) => this.runs.readProbe(id, step),
    readCheckpoint: ([id, step]) => new Uint8Array(readFile(this.runs.checkpointFile(id, step))),
    createRun: ([name, specFile], ctx) => this.writer.create(name, specFile, ctx.clientId),
    claimRun: ([id], ctx) => this.writer.claim(id, ctx.clientId),
    writeRun: ([id, w], ctx) => this.writer.write(id, w, ctx.clientId),
    writeCheckpoint: ([id, step, bytes], ctx) => this.writer.writeCheckpoint(id, step, bytes, ctx.clientId),
    trashRun: ([id]) => void this.trashRun(id),
    loadDataSources: ([spec]) => loadSpecSources(this.paths, spec),
    saveExport: () => {
      throw new PlatformError('InvalidRequest', 'saveExport: the web host saves nothing; the page downloads the file');
    },
    exportPyTorch: ([target, name]) => exportPyTorch(this.paths, this.runs, target, name),
  };

  /** Move a run to trash/runs/ unless a live writer holds it. */
  trashRun(id: string): string {
    const listing = this.runs.listing(id);
    if (listing.status === 'running') throw conflict(`run "${id}" is running; stop it before deleting it`);
    this.claims.release(id);
    return moveToTrash(this.paths, this.runs.dir(id), 'runs');
  }
}

/** The arguments of a call, short, for error messages (no notebook text or bytes). */
function describeArgs(args: readonly unknown[]): string {
  return args
    .map((a) => (typeof a === 'string' ? (a.length > 40 ? '…' : JSON.stringify(a)) : typeof a === 'number' ? a : '…'))
    .join(', ');
}
