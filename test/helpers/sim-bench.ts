import { join } from 'node:path';
import { PtyPair, servePty, serveTcp, type SimServer } from '#station/instruments/sim-server.ts';
import { SimBench, SimDevice } from '#station/instruments/sim.ts';
import { tempDir } from './paths.ts';

/** Simulated instruments on real ptys (socat) and TCP ports, cleaned up by close(). */
export class SimLab {
  readonly bench = new SimBench();
  readonly dir: string;
  private readonly servers: SimServer[] = [];
  private readonly remove: () => void;

  constructor() {
    const t = tempDir('passline-sim-');
    this.dir = t.dir;
    this.remove = t.remove;
    // Exact values unless a test asks for noise.
    this.bench.noise = 0;
  }

  async pty(kind: 'dmm' | 'psu', name: string = kind): Promise<SimServer> {
    const s = await servePty(new SimDevice(kind, this.bench), new PtyPair(join(this.dir, `${name}-station`), join(this.dir, `${name}-sim`)));
    this.servers.push(s);
    return s;
  }

  async tcp(kind: 'dmm' | 'psu'): Promise<SimServer> {
    const s = await serveTcp(new SimDevice(kind, this.bench));
    this.servers.push(s);
    return s;
  }

  async close(): Promise<void> {
    for (const s of this.servers.splice(0)) await s.close();
    this.remove();
  }
}

/** Resolves when `f()` is true, checking on every state change or 10 ms. */
export async function until(f: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
