// Every command answers --help with exit 0 (every flag with its default, the exit codes), and every kind of
// command-line mistake exits 2 with one `error:` line.
import { describe, expect, it } from 'vitest';
import { ALL_CASES } from '../../engine/bench/cases';
import { EXIT, helpText, parseArgs, reportError, UsageError, type Command } from '../../engine/node/cli/args';
import { BENCH } from '../../engine/node/cli/bench';
import { COMPARE } from '../../engine/node/cli/compare';
import { COST } from '../../engine/node/cli/cost';
import { EXPERIMENT } from '../../engine/node/cli/experiment';
import { EXPORT } from '../../engine/node/cli/export';
import { GOLDEN } from '../../engine/node/cli/golden';
import { REPRODUCE } from '../../engine/node/cli/reproduce';
import { presets } from '../../experiments/index';
import { runCli, runClis } from './helpers';

const COMMANDS: Command[] = [EXPERIMENT, COST, COMPARE, BENCH, GOLDEN, REPRODUCE, EXPORT];

describe('--help', () => {
  it('every command: exit 0, usage on stdout, every flag with its default, the exit codes', async () => {
    const results = await runClis(COMMANDS.map((c) => [c.name, ['--help']]));
    COMMANDS.forEach((c, i) => {
      const r = results[i];
      expect(r.code, `${c.name}: ${r.stderr}`).toBe(EXIT.ok);
      expect(r.stderr).toBe('');
      expect(r.stdout.startsWith(`usage: npm run ${c.name} -- `)).toBe(true);
      const flat = r.stdout.replace(/\s+/g, ' ');
      for (const f of c.flags) {
        expect(flat, `${c.name} ${f.name}`).toContain(f.name);
        if (f.default !== undefined) expect(flat, `${c.name} ${f.name}`).toContain(`(default: ${f.default})`);
      }
      expect(r.stdout).toMatch(/^exit codes:\n {2}0 {4}done\n {2}1 .*\n {2}2 {4}usage: /m);
      expect(r.stdout.includes('130  stopped by Ctrl-C')).toBe(c.interruptible === true);
    });
  });

  it('experiment lists every preset with a one-line description and an expected time', async () => {
    const r = await runCli('experiment', ['-h']);
    for (const [name, p] of Object.entries(presets)) {
      const line = r.stdout.split('\n').find((l) => l.trim().startsWith(`${name} `));
      expect(line, name).toBeDefined();
      expect(line).toContain(p.summary);
      if (p.group === 'paper') expect(line).toMatch(/ GPU /);
      else expect(line).toMatch(/ ~\d+(s| min|m\d\ds) /);
    }
    expect(r.stdout).toMatch(/paper: .*too large for a laptop/);
  });

  it('bench lists its case names; golden --help is not a file name; help wins over other mistakes', async () => {
    const [bench, golden, mixed] = await runClis([
      ['bench', ['--help']],
      ['golden', ['--help']],
      ['cost', ['--bogus', '--help']],
    ]);
    for (const c of ALL_CASES) {
      const line = bench.stdout.split('\n').find((l) => l.startsWith(`  ${c.name} `));
      expect(line, c.name).toContain(c.description);
    }
    expect(golden.code).toBe(0);
    expect(golden.stdout).not.toMatch(/^(PASS|FAIL) |^\d+ passed/m);
    expect(golden.stdout).toContain('usage: npm run golden -- FILE.json');
    expect(mixed.code).toBe(0);
    expect(mixed.stdout).toContain('usage: npm run cost');
  });
});

describe('usage mistakes: exit 2, one error line', () => {
  const cases: [string, string[], RegExp][] = [
    ['experiment', ['teach-copy', '--bogus'], /^error: unknown option --bogus/],
    ['experiment', ['teach-copy', '--steps'], /^error: --steps needs a value/],
    ['experiment', ['teach-copy', '--backend', 'tpu'], /^error: --backend must be wasm, cpu or webgpu, got "tpu"/],
    ['experiment', ['no-such-experiment'], /^error: unknown experiment "no-such-experiment"/],
    ['experiment', [], /^error: no experiment given/],
    ['experiment', ['missing.json'], /^error: missing\.json: no such file/],
    ['experiment', ['--resume', 'no/such/run'], /^error: --resume no\/such\/run: no such directory/],
    ['compare', ['no/such/run'], /^error: no\/such\/run: no such run directory/],
    ['cost', [], /^error: no experiment given/],
    ['cost', ['teach-copy', '--vocab', '0'], /^error: --vocab must be an integer >= 1/],
    ['compare', [], /^error: no run directory given/],
    ['bench', ['--cases', 'nope'], /^error: unknown case\(s\): nope/],
    ['golden', [], /^error: no golden file given/],
    ['golden', ['nope.json'], /^error: nope\.json: no such file/],
    ['reproduce', ['--budget-min', '-3'], /^error: --budget-min must be a positive number/],
    ['export', ['teach-copy'], /^error: --out DIR is required/],
    ['export', ['no-such-experiment', '--out', 'x'], /^error: unknown experiment "no-such-experiment"/],
  ];
  it('every case (run side by side)', async () => {
    const results = await runClis(cases.map(([c, a]) => [c, a]));
    cases.forEach(([c, a, m], i) => {
      const r = results[i];
      const label = `${c} ${a.join(' ')}: ${r.stderr}`;
      expect(r.code, label).toBe(EXIT.usage);
      expect(r.stderr, label).toMatch(m);
      expect(r.stderr.match(/error:/g), label).toHaveLength(1);
      expect(r.stderr, label).not.toMatch(/^\s+at /m); // no stack trace
      expect(r.stdout, label).toBe('');
    });
  });
});

describe('the shared parser', () => {
  const cmd: Command = {
    name: 'x',
    usage: ['A'],
    summary: 's',
    flags: [
      { name: '--n', value: 'N', default: '3', help: 'a number' },
      { name: '--on', help: 'a switch' },
    ],
  };
  it('reads --flag value, --flag=value, switches, and everything after -- as arguments', () => {
    const p = parseArgs(cmd, ['a', '--n', '5', '--on', '--', '--help', '-x']);
    expect([...p.flags]).toEqual([
      ['--n', '5'],
      ['--on', ''],
    ]);
    expect(p.positionals).toEqual(['a', '--help', '-x']);
    expect(p.help).toBe(false);
    expect(parseArgs(cmd, ['--n=7']).flags.get('--n')).toBe('7');
    expect(() => parseArgs(cmd, ['--on=1'])).toThrow(/--on takes no value/);
    expect(() => parseArgs(cmd, ['--n', '--on'])).toThrow(/--n needs a value/);
  });
  it('maps errors to exit codes: usage 2, known failures 1 in one line, the unexpected with their stack', () => {
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => lines.push(s) > 0) as unknown as typeof process.stderr.write;
    try {
      expect(reportError(new UsageError('u'))).toBe(2);
      const data = new Error('d');
      data.name = 'DataError';
      expect(reportError(data)).toBe(1);
      expect(reportError(new TypeError('t'))).toBe(1);
    } finally {
      process.stderr.write = write;
    }
    expect(lines[0]).toBe('error: u\n');
    expect(lines[1]).toBe('error: d\n');
    expect(lines[2]).toMatch(/^error: t\n\(unexpected.*\n\s+at /);
  });
  it('wraps the help and shows each default once', () => {
    const h = helpText(cmd);
    expect(h).toMatch(/^ {2}--n N +a number \(default: 3\)$/m);
    expect(h.split('\n').every((l) => l.length <= 110 || /^ {4}\S/.test(l))).toBe(true);
  });
});
