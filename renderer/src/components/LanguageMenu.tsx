import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LanguageChoice } from '../i18n/language.ts';
import './LanguageMenu.css';

/**
 * The header's language switch: the button, then the language (two clicks). Each language is
 * named in its own words, so anyone finds theirs whatever is on screen.
 */
export function LanguageMenu({ choice }: { choice: LanguageChoice }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const id = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const current = choice.options.find((o) => o.code === choice.current);
  const name = current?.name ?? choice.current;

  // Closes on Escape (focus back on the button) and on a click anywhere else.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      setOpen(false);
      button.current?.focus();
    };
    const onDown = (e: PointerEvent): void => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('pointerdown', onDown);
    root.current?.querySelector<HTMLButtonElement>('[aria-current="true"]')?.focus();
    return () => {
      window.removeEventListener('keydown', onKey, true);
      window.removeEventListener('pointerdown', onDown);
    };
  }, [open]);

  return (
    <div className="language-menu" ref={root}>
      <button
        ref={button}
        type="button"
        className="language-button"
        aria-expanded={open}
        aria-controls={`${id}-list`}
        aria-label={t('language.menu', { name })}
        title={t('language.menu', { name })}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="language-globe" aria-hidden="true" />
        <span className="language-code">{choice.current}</span>
      </button>
      {open ? (
        <div className="language-popup" id={`${id}-list`} role="group" aria-label={t('language.menuLabel')}>
          <p className="language-popup-title">{t('language.choose')}</p>
          <ul>
            {choice.options.map((o) => (
              <li key={o.code}>
                <button
                  type="button"
                  lang={o.code}
                  aria-current={o.code === choice.current ? 'true' : undefined}
                  onClick={() => {
                    choice.choose(o.code);
                    setOpen(false);
                    button.current?.focus();
                  }}
                >
                  <span className="language-option-name">{o.name}</span>
                  <span className="language-option-code">{o.code}</span>
                </button>
              </li>
            ))}
          </ul>
          <p className="language-popup-hint">{t('language.hint')}</p>
        </div>
      ) : null}
    </div>
  );
}
