/**
 * The units a measurement may declare: SI symbols with their prefixes and the few others a test
 * bench uses, alone or combined with `/` and `·` (`mV`, `A/√Hz`, `ppm/°C`, `m/s^2`). A typo
 * (`Volts`, `mv`, `degC`) is refused where it is written, naming the unit, rather than being
 * stored with every run and split a measurement's statistics in two. Pure: the editor checks it
 * as the field is typed, the loader when the file is read.
 */

/** Take an SI prefix: `mV`, `kΩ`, `µA`, `GHz`. */
const PREFIXABLE = new Set([
  'V',
  'A',
  'W',
  'Ω',
  'ohm',
  'Hz',
  's',
  'F',
  'H',
  'C',
  'J',
  'K',
  'g',
  'm',
  'Pa',
  'bar',
  'N',
  'S',
  'T',
  'Wb',
  'lm',
  'lx',
  'cd',
  'mol',
  'rad',
  'Wh',
  'VA',
  'var',
  'Ah',
  'L',
  'bit',
  'B',
  'bps',
  'sr',
]);
/** Taken as they are. */
const PLAIN = new Set([
  '%',
  'ppm',
  'ppb',
  '°C',
  '°F',
  '°',
  'deg',
  'dB',
  'dBm',
  'dBc',
  'dBV',
  'dBµV',
  'dBuV',
  'dBFS',
  'rpm',
  'min',
  'h',
  'psi',
  'LSB',
  'count',
  'counts',
  'cycles',
  'pixels',
  'px',
  'lux',
]);
const PREFIXES = ['Y', 'Z', 'E', 'P', 'T', 'G', 'M', 'k', 'h', 'da', 'd', 'c', 'm', 'µ', 'μ', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];

/** One factor of a unit: `mV`, `√Hz`, `s^2`, `m^-1`. */
function knownFactor(f: string): boolean {
  const m = /^(√)?(.+?)(\^-?[0-9]+|²|³)?$/u.exec(f);
  if (!m) return false;
  const sym = m[2]!;
  if (PLAIN.has(sym) || PREFIXABLE.has(sym)) return true;
  return PREFIXES.some((p) => sym.startsWith(p) && PREFIXABLE.has(sym.slice(p.length)));
}

/** Why `units` is not a unit this station knows, or null when it is. */
export function unitProblem(units: string): string | null {
  const t = units.trim();
  if (t === '') return 'a unit symbol such as V, mA, °C, dBm, % or ppm';
  if (t !== units) return 'no spaces around the unit';
  const factors = t.split(/[/·*]/u);
  if (factors.every((f) => f !== '' && knownFactor(f))) return null;
  return `unknown unit "${units}": use a symbol such as V, mV, A, Ω, Hz, s, °C, dBm, %, ppm, or a combination (A/√Hz, ppm/°C); see docs/sequences.md, "Units"`;
}
