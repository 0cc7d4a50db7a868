// A spec's text file that cannot be trained on (missing, a directory, empty, binary, too small for one batch)
// stops the run with one `error:` line naming the file, without a stack trace (exit 1). Relative paths are read
// from the spec file's folder, so a spec and its text can live together anywhere.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDataset, DataError } from '../../engine/data';
import { parseSpec } from '../../engine/spec';
import { EXIT } from '../../engine/node/cli/args';
import { runClis, tinySpec, tmpDir, writeSpec } from './helpers';

const tmp = tmpDir('corpus');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A spec in `tmp` that trains on `file` (relative to the spec), 2 x 16 tokens per batch. */
function specFor(file: string, name: string): string {
  const spec = tinySpec(2, { data: { source: { kind: 'file', path: file }, seqLen: 16, batchSize: 2 } });
  return writeSpec(tmp, spec, `${name}.json`);
}

describe('corpus errors through npm run experiment', () => {
  it('missing, directory, empty, binary, too small: one line naming the file, no stack, exit 1', async () => {
    fs.mkdirSync(path.join(tmp, 'texts'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'texts/empty.txt'), '');
    fs.writeFileSync(path.join(tmp, 'texts/photo.jpg'), Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46));
    fs.writeFileSync(path.join(tmp, 'texts/tiny.txt'), 'Only a few words here.\n'); // 23 bytes < 2 x 16 + 1
    const cases: [string, string, RegExp][] = [
      ['missing', 'texts/nope.txt', /^error: text file not found: \S*texts\/nope\.txt/m],
      ['directory', 'texts', /^error: \S*texts is a directory, not a file/m],
      ['empty', 'texts/empty.txt', /^error: text file \S*texts\/empty\.txt is empty/m],
      ['binary', 'texts/photo.jpg', /^error: \S*texts\/photo\.jpg is not a text file \(NUL byte at offset 4\)/m],
      ['tiny', 'texts/tiny.txt', /^error: \S*texts\/tiny\.txt is too small for one batch: 23 tokens, .* needs 33/m],
    ];
    const out = path.join(tmp, 'runs');
    const results = await runClis(cases.map(([name, file]) => ['experiment', [specFor(file, name), '--out', out]]));
    cases.forEach(([name, file, message], i) => {
      const r = results[i];
      expect(r.code, `${name}: ${r.stderr}`).toBe(EXIT.failed);
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr, name).toContain(path.join(tmp, file)); // read from the spec file's folder
      expect(r.stderr.match(/error:/g), name).toHaveLength(1);
      expect(r.stderr, name).not.toMatch(/^\s+at /m);
      const errorLine = r.stderr.split('\n').find((l) => l.startsWith('error:'))!;
      expect(r.stderr.slice(r.stderr.indexOf(errorLine) + errorLine.length).trim(), name).toBe(''); // the last line
    });
  });
});

describe('a corpus too small for one batch', () => {
  const spec = (chars: number, batchSize = 2, seqLen = 8) =>
    parseSpec({ data: { source: { kind: 'text', text: 'x'.repeat(chars), name: 'note' }, batchSize, seqLen } });

  it('is refused with its size and what one batch needs', () => {
    // 20 tokens: 18 for training, 2 for validation; one batch of 2 x 8 needs 17 -> fits; of 3 x 8 needs 25 -> not
    expect(buildDataset(spec(20)).stats.trainTokens).toBe(18);
    const err = (() => {
      try {
        buildDataset(spec(20, 3));
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(DataError);
    expect(err!.message).toBe(
      'note is too small for one batch: 20 tokens, of which 18 for training, but one batch of data.batchSize 3 x ' +
        'data.seqLen 8 needs 25; give more text or a smaller batch size or sequence length',
    );
  });

  it('text too short to split names its source', () => {
    expect(() => buildDataset(spec(3))).toThrow(/^note: the text is too short to split: 3 tokens/);
  });
});
