/**
 * A serial (USB-CDC) barcode scanner: one code per line, ended by the scanner's
 * configured suffix. It reconnects by itself when unplugged and plugged back.
 */
import { parseAddress } from '#contract/instruments.ts';
import { SCANNER_SUFFIX, type SerialScanner as ScannerConfig } from '#contract/scans.ts';
import { openSerialLink, type Link } from '#station/instruments/links.ts';

export interface ScanLine {
  text: string;
  source: string;
  at: string;
}

export class SerialScanner {
  readonly config: ScannerConfig;
  private link: Link | null = null;
  private buf = '';
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly onScan: (scan: ScanLine) => void;
  private readonly onState: (connected: boolean, message?: string) => void;
  private lastProblem = '';

  constructor(config: ScannerConfig, on: { scan(s: ScanLine): void; state(connected: boolean, message?: string): void }) {
    this.config = config;
    this.onScan = on.scan;
    this.onState = on.state;
    void this.open();
  }

  private async open(): Promise<void> {
    if (this.closed) return;
    let a: ReturnType<typeof parseAddress>;
    try {
      a = parseAddress(this.config.port);
      if (a.scheme !== 'serial') throw new Error(`"${this.config.port}" is not a serial: address (e.g. serial:/dev/ttyACM0?baud=9600)`);
    } catch (e) {
      // A wrong setting is said once and not retried: it will not fix itself.
      this.onState(false, (e as Error).message);
      return;
    }
    const suffix = SCANNER_SUFFIX[this.config.suffix];
    try {
      const link = await openSerialLink(a, {
        data: (chunk) => {
          this.buf += chunk.toString('utf8');
          for (let at = this.buf.indexOf(suffix); at >= 0; at = this.buf.indexOf(suffix)) {
            // Scanners set to CR LF while we expect CR (or the reverse) leave a stray byte: trim it.
            const text = this.buf.slice(0, at).replace(/^[\r\n]+|[\r\n]+$/g, '');
            this.buf = this.buf.slice(at + suffix.length);
            if (text) this.onScan({ text, source: this.config.name, at: new Date().toISOString() });
          }
        },
        closed: (reason) => {
          this.link = null;
          this.buf = '';
          this.onState(false, reason);
          this.retry();
        },
      });
      if (this.closed) return void (await link.close());
      this.link = link;
      this.lastProblem = '';
      this.onState(true);
    } catch (e) {
      const message = (e as Error).message;
      if (message !== this.lastProblem) this.onState(false, message);
      this.lastProblem = message;
      this.retry();
    }
  }

  private retry(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.open();
    }, 500);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.link?.close();
    this.link = null;
  }
}
