// `npm test`: finds (or, as root on Debian, installs) what the tests need, then runs vitest with the arguments given.
//   - a Chromium for the browser tests (playwright-core drives it) and its SwiftShader Vulkan driver (WebGPU tests in
//     Node): Debian's chromium, or $CHROMIUM_PATH, or a system Chrome;
//   - Debian's python3 with torch and numpy (the PyTorch export's tests).
// Where something is missing and cannot be installed here, it stops with one line saying what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const CHROMES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/opt/google/chrome/chrome',
];
const PYTHON = '/usr/bin/python3';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const isDebian = existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get');

function findChromium() {
  const given = process.env.CHROMIUM_PATH;
  if (given) return existsSync(given) ? given : null;
  return CHROMES.find((p) => existsSync(p)) ?? null;
}

/** SwiftShader's Vulkan ICD next to the browser (Debian: /usr/lib/chromium; Chrome: its own folder). */
function findIcd(chromium) {
  const candidates = [
    process.env.VK_ICD_FILENAMES,
    '/usr/lib/chromium/vk_swiftshader_icd.json',
    join(dirname(chromium), 'vk_swiftshader_icd.json'),
    '/opt/google/chrome/vk_swiftshader_icd.json',
  ];
  return candidates.find((p) => p && existsSync(p)) ?? null;
}

function hasTorch() {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
}

function aptInstall(packages) {
  process.stderr.write(`npm test: installing ${packages.join(' ')} with apt-get (root on Debian)...\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
}

function stop(line) {
  process.stderr.write(`npm test: ${line}\n`);
  process.exit(1);
}

if (process.env.CHROMIUM_PATH && !existsSync(process.env.CHROMIUM_PATH))
  stop(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist: point it at a Chrome/Chromium or unset it`);
let chromium = findChromium();
let icd = chromium ? findIcd(chromium) : null;
const missing = [];
if (!chromium || !icd) missing.push('chromium');
if (!hasTorch()) missing.push('python3-torch', 'python3-numpy');
if (missing.length) {
  if (!isRoot || !isDebian)
    stop(
      `missing ${missing.join(', ')}: install them (Debian/Ubuntu: sudo apt-get install -y ${missing.join(' ')})` +
        (missing.includes('chromium') ? ', or point CHROMIUM_PATH at a Chrome/Chromium' : ''),
    );
  aptInstall(missing);
  chromium = findChromium();
  icd = chromium ? findIcd(chromium) : null;
  if (!chromium || !icd) stop('chromium was installed but /usr/bin/chromium or its SwiftShader driver is missing');
  if (!hasTorch()) stop(`python3-torch was installed but ${PYTHON} cannot import torch`);
}

const env = { ...process.env, CHROMIUM_PATH: chromium, VK_ICD_FILENAMES: icd };
const vitest = join(dirname(new URL(import.meta.url).pathname), '..', 'node_modules', 'vitest', 'vitest.mjs');
const r = spawnSync(process.execPath, [vitest, 'run', ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
