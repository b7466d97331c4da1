/**
 * Which socket panel a shortcut belongs to: the one holding focus; with focus
 * elsewhere, the only panel that needs the operator (or the only panel).
 */
export function ownsKeys(panel: HTMLElement | null, soleCandidate: boolean): boolean {
  if (!panel) return false;
  const active = document.activeElement;
  if (active && panel.contains(active)) return true;
  if (active?.closest('[data-socket-panel]')) return false;
  return soleCandidate;
}
