// The run directory when a run continues: rolling back to a checkpoint, and the writer claims and run status that
// tell a live run from an interrupted one (engine/node/rundir.ts, run-rollback.ts, run-status.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FOREIGN_CLAIM_FRESH_MS, RunDir, runStatus, statusOf } from '../engine/node/rundir';
import { checkpointBytes, tempDir } from './rundir-helpers';

let tmp: string;
beforeEach(() => void (tmp = tempDir()));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('resume and liveness', () => {
  function filled(): RunDir {
    const run = RunDir.create(tmp, 'filled');
    run.writeSpec({});
    run.appendMetricsRows([0, 1, 2, 3, 4, 5, 6].map((step) => ({ step, split: 'train' })));
    run.appendRoutingRows([2, 4, 6].map((step) => ({ step })));
    for (const s of [2, 4, 6]) run.writeProbe(s, { step: s });
    for (const s of [2, 4, 6]) run.writeCheckpoint(s, checkpointBytes(s));
    run.writeSummary({ status: 'complete' });
    run.writeReport('# filled', '<svg/>');
    fs.appendFileSync(run.metricsPath, '{"step": 7, "spl'); // torn by a crash
    fs.writeFileSync(path.join(run.dir, '.tmp-spec.json.999999999.abc'), 'a dead writer');
    return run;
  }

  it('rolls a run back to a checkpoint step: later rows, probes, checkpoints and the summary go', () => {
    const run = filled();
    const r = run.rollBack(4);
    expect(r.metrics.map((m) => (m as { step: number }).step)).toEqual([0, 1, 2, 3, 4]);
    expect([r.droppedMetrics, r.droppedRouting]).toEqual([2, 1]);
    expect(r.removedTemp).toEqual([path.join(run.dir, '.tmp-spec.json.999999999.abc')]);
    expect(run.readMetrics<{ step: number }>().map((m) => m.step)).toEqual([0, 1, 2, 3, 4]);
    expect(fs.readFileSync(run.metricsPath, 'utf8').endsWith('}\n')).toBe(true); // the torn line is gone too
    expect(run.readRouting<{ step: number }>().map((m) => m.step)).toEqual([2, 4]);
    expect(run.listProbes()).toEqual([2, 4]);
    expect(run.listCheckpoints()).toEqual([2, 4]);
    for (const f of [run.summaryPath, run.summaryMarkdownPath, run.lossSvgPath]) expect(fs.existsSync(f)).toBe(false);
  });

  it('rolls back to -1: a restart from scratch keeps nothing but spec.json', () => {
    const run = filled();
    run.rollBack(-1);
    expect(run.readMetrics()).toEqual([]);
    expect(run.readRouting()).toEqual([]);
    expect([run.listProbes(), run.listCheckpoints()]).toEqual([[], []]);
    expect(run.readSpec()).toEqual({});
  });

  it('claims a run for one writer; runStatus tells running, interrupted and how a run ended', () => {
    const run = RunDir.create(tmp, 'live');
    run.writeSpec({});
    expect(runStatus(run)).toBe('interrupted'); // no summary, nobody writing
    const claim = run.claim('cli');
    expect(claim).toMatchObject({ pid: process.pid, kind: 'cli', hostname: os.hostname() });
    expect(run.readClaim()).toEqual(claim);
    expect(runStatus(run)).toBe('running');
    run.release();
    expect(fs.existsSync(run.writerPath)).toBe(false);
    for (const status of ['complete', 'failed', 'stopped']) {
      run.writeSummary({ status });
      expect(runStatus(run)).toBe(status);
    }
    // a claim whose process is gone (killed) does not count; a live one elsewhere blocks another writer
    fs.writeFileSync(
      run.writerPath,
      JSON.stringify({ pid: 999999999, kind: 'app', startedAt: '', hostname: os.hostname() }),
    );
    fs.rmSync(run.summaryPath);
    expect(runStatus(run)).toBe('interrupted');
    expect(run.claim('app').pid).toBe(process.pid); // a stale claim is taken over
    fs.writeFileSync(
      run.writerPath,
      JSON.stringify({ pid: process.ppid, kind: 'app', startedAt: '', hostname: os.hostname() }),
    );
    expect(runStatus(run)).toBe('running');
    expect(() => run.claim('cli')).toThrow(/being written by the app \(pid /);
    run.release(); // not ours: left alone
    expect(run.readClaim()?.pid).toBe(process.ppid);
    expect(runStatus(run, (c) => (c.kind === 'app' ? false : undefined))).toBe('interrupted'); // the host knows better
    run.writeSummary({ status: 'complete' });
    expect(runStatus(run)).toBe('complete'); // a summary says how it ended, whoever still holds a claim
    fs.writeFileSync(run.writerPath, '{"pid": "x"');
    fs.rmSync(run.summaryPath);
    expect(run.readClaim()).toBeNull(); // unreadable: nobody can honour it
    expect(runStatus(run)).toBe('interrupted');
  });

  it('a claim of another host is live only while the run was written to in the last 10 minutes', () => {
    const run = RunDir.create(tmp, 'cluster');
    run.writeSpec({});
    run.appendMetricsRows([{ step: 1, split: 'train' }]);
    fs.mkdirSync(run.checkpointsDir);
    // the PyTorch export's claim (engine/node/export/python/train.py), copied back from a cluster node
    const claim = { pid: 4242, kind: 'export', startedAt: '2025-01-01T00:00:00Z', hostname: `${os.hostname()}-node7` };
    fs.writeFileSync(run.writerPath, JSON.stringify(claim));
    const age = (ms: number) => {
      const t = new Date(Date.now() - ms);
      for (const f of [run.metricsPath, run.checkpointsDir, run.writerPath]) fs.utimesSync(f, t, t);
    };
    age(FOREIGN_CLAIM_FRESH_MS - 60_000);
    expect(runStatus(run)).toBe('running'); // still being written, as far as anyone here can tell
    expect(() => run.claim('cli')).toThrow(/being written by an export \(pid 4242 on .*-node7/);
    age(FOREIGN_CLAIM_FRESH_MS + 60_000);
    expect(runStatus(run)).toBe('interrupted'); // quiet for longer: the copy of a run that ended or died
    const t = new Date(Date.now() - 5000); // one file touched recently is enough (a new checkpoint)
    fs.utimesSync(run.checkpointsDir, t, t);
    expect(runStatus(run)).toBe('running');
    age(FOREIGN_CLAIM_FRESH_MS + 60_000);
    expect(run.lastWriteMs()).toBeLessThan(Date.now() - FOREIGN_CLAIM_FRESH_MS);
    expect(run.claim('cli')).toMatchObject({ pid: process.pid, hostname: os.hostname() }); // a stale claim is taken over
  });

  it('statusOf: the status a cached run state means, at a given time', () => {
    const claim = { pid: 1, kind: 'export' as const, startedAt: '', hostname: `${os.hostname()}-elsewhere` };
    const state = { ended: null, claim, lastWriteMs: 1_000_000 };
    expect(statusOf(state, 'r', undefined, 1_000_000 + FOREIGN_CLAIM_FRESH_MS - 1)).toBe('running');
    expect(statusOf(state, 'r', undefined, 1_000_000 + FOREIGN_CLAIM_FRESH_MS)).toBe('interrupted');
    expect(statusOf(state, 'r', () => true, Number.MAX_SAFE_INTEGER)).toBe('running'); // the caller knows better
    expect(statusOf({ ...state, ended: 'failed' }, 'r', () => true)).toBe('failed');
    expect(statusOf({ ...state, claim: null }, 'r')).toBe('interrupted');
  });

  it('writes the report alone (an interrupted run) or in part', () => {
    const run = RunDir.create(tmp, 'report');
    run.writeReport('# interrupted', undefined);
    expect(fs.readFileSync(run.summaryMarkdownPath, 'utf8')).toBe('# interrupted');
    expect(fs.existsSync(run.lossSvgPath)).toBe(false);
    run.writeReport(undefined, '<svg/>');
    expect(fs.readFileSync(run.lossSvgPath, 'utf8')).toBe('<svg/>');
    expect(run.readEnd()).toBeNull();
    run.writeSummary({ steps: 3 }); // no status: an older summary, complete
    expect(run.readEnd()).toBe('complete');
    fs.writeFileSync(run.summaryPath, '{"status": "fai');
    expect(run.readEnd()).toBeNull(); // unreadable: none
  });
});
