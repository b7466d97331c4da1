/**
 * Serial ports for the settings screen. serialport lists ports through udevadm on
 * Linux; without it we say so and list the usual device names, never crash.
 */
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { PortInfo } from '#contract/instruments.ts';
import { loadSerialPort } from './links.ts';

function onPath(cmd: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** /dev/ttyUSB*, /dev/ttyACM* and /dev/serial/by-id/*: what a USB-serial adapter or a CDC scanner shows up as. */
function devicesByName(): PortInfo[] {
  const out: PortInfo[] = [];
  const add = (dir: string, re: RegExp) => {
    try {
      for (const f of readdirSync(dir).sort()) if (re.test(f)) out.push({ path: join(dir, f), address: `serial:${join(dir, f)}?baud=9600` });
    } catch {
      /* no such folder on this machine */
    }
  };
  add('/dev', /^tty(USB|ACM)\d+$/);
  add('/dev/serial/by-id', /./);
  return out;
}

export async function listSerialPorts(): Promise<{ ports: PortInfo[]; problem?: string }> {
  if (process.platform === 'linux' && !onPath('udevadm')) {
    return {
      ports: devicesByName(),
      problem:
        'udevadm is not installed, so serial ports cannot be listed with their maker and serial number (install the udev package); the ports listed are the device names found under /dev.',
    };
  }
  try {
    const { SerialPort } = await loadSerialPort();
    const ports = await SerialPort.list();
    return {
      ports: ports.map((p) => ({
        path: p.path,
        ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
        ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
        ...(p.vendorId ? { vendorId: p.vendorId } : {}),
        ...(p.productId ? { productId: p.productId } : {}),
        address: `serial:${p.path}?baud=9600`,
      })),
    };
  } catch (e) {
    return {
      ports: devicesByName(),
      problem: `serial ports could not be listed (${(e as Error).message}); the ports listed are the device names found under /dev.`,
    };
  }
}
