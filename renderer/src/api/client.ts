import type { CommandInput, CommandName, CommandOutput } from '#contract/commands.ts';
import type { Result } from '#contract/errors.ts';
import type { Transport } from './transport.ts';
import { createBridgeTransport } from './bridge-transport.ts';
import { createWebSocketTransport, stationSocketUrl } from './ws-transport.ts';

/** Typed commands: the contract decides each command's input and output. */
export interface StationClient {
  invoke<K extends CommandName>(name: K, input: CommandInput<K>): Promise<Result<CommandOutput<K>>>;
}

export function createClient(transport: Transport): StationClient {
  return {
    invoke: <K extends CommandName>(name: K, input: CommandInput<K>) => transport.invoke(name, input) as Promise<Result<CommandOutput<K>>>,
  };
}

/** Electron's preload bridge when present, else the headless station's WebSocket on this page's host. */
export function createDefaultTransport(): Transport {
  if (window.station) return createBridgeTransport(window.station);
  return createWebSocketTransport(stationSocketUrl());
}
