/**
 * First step of `npm test`: the end-to-end tests drive Debian's Chromium, the serial
 * tests use socat pseudo-terminals, and the PostgreSQL upload target is tested against
 * a real server (package postgresql; the tests start their own on a temp dir); Chinese text
 * needs a CJK font (fonts-noto-cjk). Installs what is missing through apt when we are root;
 * otherwise stops with one line naming what to install.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Debian's server binaries live in /usr/lib/postgresql/<major>/bin, off PATH. */
function hasPostgres(): boolean {
  const root = '/usr/lib/postgresql';
  return (
    existsSync(root) && readdirSync(root).some((major) => executable(join(root, major, 'bin', 'pg_ctl')) && executable(join(root, major, 'bin', 'initdb')))
  );
}

function missing(): string[] {
  const need: string[] = [];
  if (!executable('/usr/bin/chromium') && !onPath('chromium')) need.push('chromium');
  if (!onPath('socat')) need.push('socat');
  if (!hasPostgres()) need.push('postgresql');
  // The screens in Simplified Chinese need a font with its glyphs (else Chromium draws boxes).
  if (!existsSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc')) need.push('fonts-noto-cjk');
  return need;
}

/** Runs quietly; on failure prints the tail of apt's output, which says why. */
function apt(args: string[]): boolean {
  const r = spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status === 0) return true;
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim().split('\n').slice(-15).join('\n');
  console.error(out);
  return false;
}

const need = missing();
if (need.length > 0) {
  const command = `apt-get install -y ${need.join(' ')}`;
  if (process.getuid?.() === 0 && onPath('apt-get')) {
    console.log(`Passline tests: installing ${need.join(', ')} (${command})`);
    if (!apt(['update']) || !apt(['install', '-y', ...need])) {
      console.error(`Passline tests need ${need.join(' and ')}, and apt-get could not install ${need.length > 1 ? 'them' : 'it'} (see above).`);
      process.exit(1);
    }
    const still = missing();
    if (still.length > 0) {
      console.error(`Passline tests need ${still.join(' and ')}: apt-get installed it, but it is not on PATH (${process.env.PATH ?? ''}).`);
      process.exit(1);
    }
  } else {
    console.error(`Passline tests need ${need.join(' and ')}: install ${need.length > 1 ? 'them' : 'it'} (${command}) and run npm test again.`);
    process.exit(1);
  }
}
