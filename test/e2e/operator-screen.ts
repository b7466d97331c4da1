import { expect, type CDPSession, type Locator, type Page } from '@playwright/test';

/** The operator screen as an operator sees it: by labels, roles and names. */
export class OperatorScreen {
  readonly page: Page;
  readonly serial: Locator;
  readonly phases: Locator;
  readonly prompt: Locator;
  readonly abort: Locator;

  /** The panel of one socket (numbered from 1 as on screen), or the whole page on a one-socket station. */
  readonly scope: Locator;

  constructor(page: Page, socket?: number) {
    this.page = page;
    this.scope = socket === undefined ? page.locator('body') : page.getByRole('region', { name: `Socket ${socket}`, exact: true });
    const label = socket === undefined ? 'Serial number' : `Serial number, socket ${socket}`;
    this.serial = page.getByLabel(label, { exact: true });
    this.phases = page.getByRole('list', { name: socket === undefined ? 'Phases' : `Phases, socket ${socket}`, exact: true });
    this.prompt = this.scope.getByRole('dialog');
    this.abort = this.scope.getByRole('button', { name: 'Abort', exact: true });
  }

  get connection(): Locator {
    return this.page.getByRole('status', { name: 'Connection' });
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.connection).toHaveText('Connected');
    await expect(this.serial).toBeFocused();
  }

  phase(title: string): Locator {
    return this.phases.getByRole('listitem').filter({ has: this.page.getByText(title, { exact: true }) });
  }

  /** The big verdict: PASS, FAIL, ERROR or ABORTED. */
  result(word: 'PASS' | 'FAIL' | 'ERROR' | 'ABORTED'): Locator {
    return this.scope.getByRole('heading', { name: word, exact: true });
  }

  /** A keyboard-wedge scanner: types the serial and presses Enter. */
  async scan(serial: string): Promise<void> {
    await this.serial.pressSequentially(serial);
    await this.serial.press('Enter');
  }
}

/** Between keys of a wedge scanner (USB HID scanners send a key every 1–15 ms). */
export const SCANNER_MS = 4;

export interface ScannerOptions {
  /** What the scanner sends after each code (the scanner's configured suffix). */
  suffix?: 'Enter' | 'Tab';
  /** Between the end of one code and the start of the next, for several labels in one go. */
  gapMs?: number;
}

const KEY_CODES: Record<string, { code: string; vk: number; text: string }> = {
  Enter: { code: 'Enter', vk: 13, text: '\r' },
  Tab: { code: 'Tab', vk: 9, text: '' },
  '-': { code: 'Minus', vk: 189, text: '-' },
};

/**
 * Keys as a USB scanner sends them: each stamped SCANNER_MS after the last by the device and
 * all sent without waiting for the page. (Playwright's keyboard waits until each key is
 * handled, so a page busy for a moment on a loaded machine would stretch a scan to a
 * person's pace: not what a scanner does.) Several codes are sent back to back, `gapMs` apart.
 */
export async function scannerSends(page: Page, codes: string | readonly string[], opts: ScannerOptions = {}): Promise<void> {
  let cdp = sessions.get(page);
  if (!cdp) sessions.set(page, (cdp = await page.context().newCDPSession(page)));
  const session = cdp;
  const suffix = opts.suffix ?? 'Enter';
  const t0 = Date.now() / 1000;
  const keys: { key: string; at: number }[] = [];
  let at = 0;
  for (const [n, code] of (typeof codes === 'string' ? [codes] : codes).entries()) {
    if (n > 0) at += opts.gapMs ?? SCANNER_MS;
    for (const key of [...code, suffix]) {
      keys.push({ key, at });
      at += SCANNER_MS;
    }
  }
  await Promise.all(
    keys.map(({ key, at }) => {
      const known = KEY_CODES[key];
      const code = known?.code ?? (/\d/.test(key) ? `Digit${key}` : /[a-z]/i.test(key) ? `Key${key.toUpperCase()}` : '');
      const vk = known?.vk ?? key.toUpperCase().charCodeAt(0);
      const text = known?.text ?? key;
      const timestamp = t0 + at / 1000;
      return Promise.all([
        session.send('Input.dispatchKeyEvent', { type: 'keyDown', key, code, text, windowsVirtualKeyCode: vk, timestamp }),
        session.send('Input.dispatchKeyEvent', { type: 'keyUp', key, code, windowsVirtualKeyCode: vk, timestamp: timestamp + 0.001 }),
      ]);
    }),
  );
}
const sessions = new WeakMap<Page, CDPSession>();
