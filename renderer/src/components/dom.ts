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
