/**
 * The demo procedure on a supply and a meter served on TCP ports (the simulators
 * speak SCPI on real sockets, as LXI instruments do): the operator screen names an
 * instrument whose cable is pulled, and clears it when the cable is back.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveTcp, type SimServer } from '#station/instruments/sim-server.ts';
import { SimBench, SimDevice } from '#station/instruments/sim.ts';
import { expect, saveScreenshot, test } from './fixtures.ts';
import { OperatorScreen } from './operator-screen.ts';
import { StationProcess } from './station.ts';
import { openAsSupervisor } from './people.ts';

test('a disconnected instrument is named on the operator screen until it is back', async ({ page }, testInfo) => {
  const bench = new SimBench();
  const servers: SimServer[] = [await serveTcp(new SimDevice('psu', bench)), await serveTcp(new SimDevice('dmm', bench))];
  const [psu, dmm] = servers as [SimServer, SimServer];
  const dataDir = StationProcess.freshDataDir();
  // The station's settings point the demo's instruments at the simulators' ports.
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ instruments: { psu: `${psu.address}?driver=psu`, dmm: `${dmm.address}?driver=dmm` } }));
  const station = await StationProcess.start({ dataDir });
  try {
    const operator = new OperatorScreen(page);
    await operator.open(station.url);
    const alerts = page.getByRole('alert', { name: 'Instruments' });
    await expect(alerts).toHaveCount(0);

    await dmm.unplug();
    await expect(alerts).toContainText('Instrument dmm disconnected');
    await expect(alerts).toContainText('refused the connection');
    await saveScreenshot(page, testInfo, 'instrument-disconnected');

    await dmm.plug();
    await expect(alerts).toHaveCount(0);
    // And the demo runs on the instruments over TCP.
    await operator.scan('DEMO-0001');
    await expect(operator.prompt).toBeVisible();
    await page.keyboard.press('y');
    await expect(operator.result('PASS')).toBeVisible();
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
    for (const s of servers) await s.close();
  }
});

test('Supervisor › Instruments follows an instrument going away and coming back, without a refresh', async ({ page }, testInfo) => {
  const bench = new SimBench();
  const servers: SimServer[] = [await serveTcp(new SimDevice('psu', bench)), await serveTcp(new SimDevice('dmm', bench))];
  const [psu, dmm] = servers as [SimServer, SimServer];
  const dataDir = StationProcess.freshDataDir();
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ instruments: { psu: `${psu.address}?driver=psu`, dmm: `${dmm.address}?driver=dmm` } }));
  const station = await StationProcess.start({ dataDir });
  try {
    await openAsSupervisor(page, station.url);
    const table = page.getByRole('table', { name: 'Instruments' });
    const dmmRow = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^dmm/ }) });
    await expect(dmmRow).toContainText('connected');
    await expect(dmmRow).not.toContainText('disconnected');

    await dmm.unplug();
    await expect(dmmRow).toContainText('disconnected');
    await expect(dmmRow).toContainText('refused the connection');
    await saveScreenshot(page, testInfo, 'supervisor-instrument-disconnected');

    await dmm.plug();
    await expect(dmmRow).not.toContainText('disconnected');
    await expect(dmmRow).toContainText('connected');
  } finally {
    await station.stop();
    StationProcess.removeDataDir(dataDir);
    for (const s of servers) await s.close();
  }
});
