import { isTextEntry } from '../../components/dom.ts';

/** Where focus is on the operator screen: in which socket's panel, and whether it is in a text field. */
export interface KeyFocus {
  socket: number | null;
  typing: boolean;
}

export interface KeySocket {
  socket: number;
  prompt: boolean;
  running: boolean;
}

/** Focus now: panels are rendered in socket order. */
export function readFocus(sockets: readonly number[]): KeyFocus {
  const active = document.activeElement;
  const panel = active?.closest('[data-socket-panel]');
  const at = panel ? [...document.querySelectorAll('[data-socket-panel]')].indexOf(panel) : -1;
  return { socket: at >= 0 ? (sockets[at] ?? null) : null, typing: isTextEntry(active) };
}

/**
 * The socket whose question the shortcut keys (Y/N, P/F, 1–9) answer: the focused
 * socket's question, else the first open one. None while focus is in a text field
 * of a socket without a question: the keys type there.
 */
export function promptKeysOwner(sockets: readonly KeySocket[], focus: KeyFocus): number | null {
  const focused = sockets.find((s) => s.socket === focus.socket);
  if (focused?.prompt) return focused.socket;
  if (focus.typing) return null;
  return sockets.find((s) => s.prompt)?.socket ?? null;
}

/**
 * The socket Esc aborts: the focused running socket; with focus in no panel, the one
 * the question keys answer, or the only running socket.
 */
export function escKeysOwner(sockets: readonly KeySocket[], focus: KeyFocus): number | null {
  const focused = sockets.find((s) => s.socket === focus.socket);
  if (focused) return focused.running ? focused.socket : null;
  const prompt = promptKeysOwner(sockets, focus);
  if (prompt !== null) return prompt;
  const running = sockets.filter((s) => s.running);
  return running.length === 1 ? running[0]!.socket : null;
}
