/** True when typing goes into this element, so letter shortcuts must leave the key alone. */
export function isTextEntry(el: Element | null): boolean {
  if (!el) return false;
  if (el instanceof HTMLTextAreaElement) return !el.disabled;
  if (el instanceof HTMLInputElement) {
    return !el.disabled && !['button', 'submit', 'checkbox', 'radio', 'reset'].includes(el.type);
  }
  return el instanceof HTMLElement && el.isContentEditable;
}

export function hasModifier(e: KeyboardEvent): boolean {
  return e.ctrlKey || e.metaKey || e.altKey;
}

/**
 * Scrolls only `container` so `el` is in view (scrollIntoView would also scroll
 * every ancestor, pushing the serial field or a prompt out of sight).
 */
export function revealWithin(container: Element | null, el: Element | null): void {
  if (!container || !el) return;
  const c = container.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  if (r.top < c.top) container.scrollTop -= c.top - r.top;
  else if (r.bottom > c.bottom) container.scrollTop += Math.min(r.bottom - c.bottom, r.top - c.top);
}
