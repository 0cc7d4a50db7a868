// What every command shares: its flags (with defaults and help text), `--help`, one `error:` prefix on stderr,
// and one exit code per kind of outcome (EXIT). Each command describes itself as a Command and calls runCommand.
// Light on purpose: no tfjs here, so `--help` and the usage errors answer at once.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Exit codes, the same for every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130, terminated: 143 } as const;

/** A mistake in the command line: unknown option, bad value, unknown name, missing path, invalid spec file (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the user can act on, worded for them: printed as one line without a stack (exit 1). */
export class CliError extends Error {
  override name = 'CliError';
}

/** Errors printed as their message alone. Matched by name so that this module need not load the engine. */
const USAGE_ERRORS = new Set(['UsageError', 'UnknownPresetError']);
const EXPECTED_ERRORS = new Set([
  'CliError',
  'SpecError',
  'DataError',
  'RunError',
  'RunDirError',
  'RunFileError',
  'CheckpointError',
  'ExportError',
  'NonFiniteLossError',
]);

export interface Flag {
  name: `--${string}`;
  /** The value's placeholder ("N", "DIR"); absent for a switch. */
  value?: string;
  /** The default as the help shows it. */
  default?: string;
  help: string;
}

export interface Command {
  /** The npm script: `npm run <name>`. */
  name: string;
  /** Usage lines after `npm run <name> -- ` (several forms allowed). */
  usage: string[];
  /** What the command does, one or two sentences. */
  summary: string;
  flags: Flag[];
  /** Lines describing the positional arguments. */
  args?: string[];
  /** Extra help sections (experiment lists, case names), built only when --help is asked for. */
  more?: () => string[];
  /** The command trains, so Ctrl-C / SIGTERM stop it after a checkpoint (exit codes 130 / 143). */
  interruptible?: boolean;
}

export interface Parsed {
  /** Flag name -> its value ('' for a switch). The last occurrence wins. */
  flags: Map<string, string>;
  positionals: string[];
  help: boolean;
}

const HELP_FLAGS = new Set(['--help', '-h']);

/** Split argv into flags and positionals; `--flag value` and `--flag=value`; after `--` everything is positional. */
export function parseArgs(cmd: Command, argv: string[]): Parsed {
  const out: Parsed = { flags: new Map(), positionals: [], help: false };
  let literal = false;
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    if (literal || !s.startsWith('-') || s === '-') {
      out.positionals.push(s);
      continue;
    }
    if (s === '--') {
      literal = true;
      continue;
    }
    if (HELP_FLAGS.has(s)) {
      out.help = true;
      continue;
    }
    const eq = s.indexOf('=');
    const name = eq > 0 ? s.slice(0, eq) : s;
    const flag = cmd.flags.find((f) => f.name === name);
    if (!flag) throw new UsageError(`unknown option ${name}`);
    if (!flag.value) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      out.flags.set(name, '');
      continue;
    }
    const v = eq > 0 ? s.slice(eq + 1) : argv[++i];
    if (v === undefined || v === '' || (eq < 0 && v.startsWith('--')))
      throw new UsageError(`${name} needs a value (${name} ${flag.value})`);
    out.flags.set(name, v);
  }
  return out;
}

/** An integer flag value >= min. */
export function intValue(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got "${v}"`);
  return n;
}

/** A positive number flag value. */
export function positiveValue(flag: string, v: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${flag} must be a positive number, got "${v}"`);
  return n;
}

/** One of a fixed set of words. */
export function choiceValue<T extends string>(flag: string, v: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(v))
    throw new UsageError(`${flag} must be ${choices.join(', ').replace(/, ([^,]*)$/, ' or $1')}, got "${v}"`);
  return v as T;
}

export function exitCodesHelp(interruptible = false): string[] {
  return [
    'exit codes:',
    '  0    done',
    '  1    failed while running (data, backend, training, files on disk); the message says what and where',
    '  2    usage: unknown option, bad value, unknown experiment or case name, missing path, invalid spec file',
    ...(interruptible
      ? [
          '  130  stopped by Ctrl-C (SIGINT) after saving a checkpoint; the resume command is printed',
          '  143  stopped by SIGTERM after saving a checkpoint',
        ]
      : []),
  ];
}

/** The full --help text. */
export function helpText(cmd: Command): string {
  const width = Math.max(...cmd.flags.map((f) => flagLabel(f).length), 10);
  const flagLine = (label: string, text: string) => wrap(text, HELP_COLUMNS - width - 4, `  ${label.padEnd(width)}  `);
  const lines = [
    ...cmd.usage.map((u, i) => `${i === 0 ? 'usage:' : '      '} ${invocation(cmd)} -- ${u}`),
    '',
    wrap(cmd.summary, HELP_COLUMNS, ''),
    ...(cmd.args?.length ? ['', 'arguments:', ...cmd.args.map((a) => `  ${a}`)] : []),
    '',
    'options:',
    ...cmd.flags.map((f) =>
      flagLine(flagLabel(f), f.help + (f.default !== undefined ? ` (default: ${f.default})` : '')),
    ),
    flagLine('--help, -h', 'this help'),
    ...(cmd.more ? ['', ...cmd.more()] : []),
    '',
    ...exitCodesHelp(cmd.interruptible),
  ];
  return lines.join('\n') + '\n';
}

const HELP_COLUMNS = 110;

/** Word-wrap `text` to `columns`, the first line after `lead`, the others indented to line up with it. */
function wrap(text: string, columns: number, lead: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > columns) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.map((l, i) => (i === 0 ? lead : ' '.repeat(lead.length)) + l).join('\n');
}

/** How the user types the command. */
export const invocation = (cmd: Command) => `npm run ${cmd.name}`;

const flagLabel = (f: Flag) => (f.value ? `${f.name} ${f.value}` : f.name);

/** Print an error the one way every command does; returns its exit code. Unexpected errors keep their stack. */
export function reportError(e: unknown, cmd?: Command): number {
  const err = e instanceof Error ? e : new Error(String(e));
  if (USAGE_ERRORS.has(err.name)) {
    const hint = cmd && err.name === 'UsageError' ? `\n(${invocation(cmd)} -- --help lists every option)` : '';
    process.stderr.write(`error: ${err.message}${hint}\n`);
    return EXIT.usage;
  }
  if (EXPECTED_ERRORS.has(err.name)) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.failed;
  }
  const stack = (err.stack ?? '').split('\n').slice(1).join('\n');
  process.stderr.write(`error: ${err.message}\n(unexpected; please report it with this trace)\n${stack}\n`);
  return EXIT.failed;
}

/**
 * Run a command's main with the shared conventions: --help prints help on stdout and exits 0 before anything
 * else is checked; errors print once with `error:` and exit with their code.
 */
export function runCommand(cmd: Command, main: (args: Parsed) => Promise<number> | number): void {
  let parsed: Parsed;
  try {
    parsed = parseArgs(cmd, process.argv.slice(2));
  } catch (e) {
    if (process.argv.slice(2).some((a) => HELP_FLAGS.has(a))) return exitWith(printHelp(cmd));
    return exitWith(reportError(e, cmd));
  }
  if (parsed.help) return exitWith(printHelp(cmd));
  Promise.resolve()
    .then(() => main(parsed))
    .then(exitWith, (e) => exitWith(reportError(e, cmd)));
}

function printHelp(cmd: Command): number {
  process.stdout.write(helpText(cmd));
  return EXIT.ok;
}

/** Exit once stdout and stderr have drained (a pipe may still hold the last lines). */
function exitWith(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => --pending === 0 && process.exit(code);
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/** True when `importMetaUrl` is the script node was started with (not a module imported by a test or another command). */
export function isMain(importMetaUrl: string): boolean {
  return Boolean(process.argv[1]) && importMetaUrl === pathToFileURL(path.resolve(process.argv[1])).href;
}
