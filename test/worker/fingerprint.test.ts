// The shapes that cross the worker boundary or land on disk are pinned with PROTOCOL_VERSION: a change of a request,
// an event, a report or a run file changes their description (test/worker/shapes.txt, readable: review its diff)
// and its fingerprint, and then either PROTOCOL_VERSION goes up or a new HISTORY entry of the same version says
// why hosts of that version still understand the new shape. On a mismatch the test writes the current description
// to a temp file it names: copy it over shapes.txt and add the HISTORY entry.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../engine/protocol';
import { describeShapes, ROOT, shapeProgram, type ShapeRoots } from './shapes';

const ROOTS: ShapeRoots[] = [
  { file: 'engine/protocol.ts', names: ['Request', 'WorkerEvent'] },
  {
    file: 'engine/contracts/run-files.ts',
    names: ['RunSpecFile', 'RunSummary', 'MetricsRow', 'RoutingRow', 'WriterClaim'],
  },
];

/** Every shape so far, oldest first. A new shape: bump PROTOCOL_VERSION, or keep it and say why (`why`). */
const HISTORY: { version: number; sha256: string; why?: string }[] = [
  // reports and run files in engine/contracts, ReadyEvent.spec typed: no field of version 1 changed
  { version: 1, sha256: 'bc79e7c4d70155d0ef3b98a992877f0855cec29272307a7ab7c84cc078dc6496' },
  // issue 9: probe interventions and outputs, tokenize/atlas/trace requests and events, routing health fields
  { version: 2, sha256: '2a1985c8005b69c9a69a393a82227be633b7a000ae3d59ec27ab7922f341df45' },
  {
    version: 2,
    sha256: '67983dea673d3c58f8ddc85533c66978b681f6a307c53c9821494a0de2649f20',
    why: 'the atlas event gains per-position selections (AtlasGroup idx, gates); an atlas is only a request answer of the same build (never on disk, never read by another host), so no host of version 2 sees it',
  },
];

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('protocol and run-file shapes', () => {
  it('match the pinned fingerprint of this PROTOCOL_VERSION', () => {
    const text = describeShapes(shapeProgram(ROOTS), ROOTS);
    const now = { version: PROTOCOL_VERSION, sha256: sha(text) };
    const last = HISTORY.at(-1)!;
    const pinned = fs.readFileSync(path.join(ROOT, 'test/worker/shapes.txt'), 'utf8');
    expect(sha(pinned.trimEnd()), 'shapes.txt is the description HISTORY pins').toBe(last.sha256);
    if (now.sha256 !== last.sha256 || now.version !== last.version) {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shapes-')), 'shapes.txt');
      fs.writeFileSync(file, text + '\n');
      expect.fail(
        `the protocol / run-file shapes changed (now ${JSON.stringify(now)}, pinned ${JSON.stringify(last)}; ` +
          `the current description is in ${file}: copy it over test/worker/shapes.txt and diff). Bump ` +
          `PROTOCOL_VERSION in engine/protocol.ts and add { version, sha256 } to HISTORY in ` +
          `test/worker/fingerprint.test.ts, or add an entry with the same ` +
          `version and a "why" saying why hosts of that version still understand the new shape.`,
      );
    }
  });

  it('a shape change without a version bump says why', () => {
    HISTORY.forEach((h, i) => {
      if (i === 0) return;
      expect(h.version).toBeGreaterThanOrEqual(HISTORY[i - 1].version);
      if (h.version === HISTORY[i - 1].version)
        expect(h.why?.trim(), `HISTORY[${i}] keeps version ${h.version}`).toBeTruthy();
    });
  });

  it('the fingerprint sees a field added deep inside a report, and a field that changes type', () => {
    const roots: ShapeRoots[] = [{ file: 'engine/contracts/run-files.ts', names: ['RoutingRow', 'MetricsRow'] }];
    const file = 'engine/contracts/reports.ts';
    const src = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const base = shapeProgram(roots);
    const before = describeShapes(base, roots);
    const variants = [
      src.replace('  deadFraction: number;', '  deadFraction: number;\n  extra?: string;'), // HeadStats, two levels down
      src.replace('  bpb: number | null;', '  bpb: number;'), // EvalReport
    ];
    for (const v of variants) {
      expect(v).not.toBe(src);
      const after = describeShapes(shapeProgram(roots, { [file]: v }, base), roots);
      expect(sha(after)).not.toBe(sha(before));
    }
  });
});
