/** A key hint inside a button; hidden from the accessible name (aria-keyshortcuts carries it). */
export function Kbd({ children }: { children: string }) {
  return (
    <kbd className="kbd" aria-hidden="true">
      {children}
    </kbd>
  );
}
