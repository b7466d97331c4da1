import { useEffect, useEffectEvent, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { Prompt, PromptAnswer } from '#contract/prompts.ts';
import type { StationError } from '#contract/errors.ts';
import { Kbd } from '../../components/Kbd.tsx';
import { hasModifier, isTextEntry } from '../../components/dom.ts';
import { useNow } from '../../components/use-now.ts';
import { useFormat } from '../../i18n/use-format.ts';
import { errorText } from '../../i18n/errors.ts';
import type { Formatter } from '../../components/format.ts';

interface Props {
  prompt: Prompt;
  onAnswer(answer: PromptAnswer): Promise<StationError | null>;
  /** Whether a key press belongs to this prompt (its socket owns the keyboard). */
  ownsKeys(): boolean;
  /** On a station with several sockets: which socket the keys answer now ("Y / N answer socket 1"). */
  keys?: { hint: string; on: boolean } | null | undefined;
}

/**
 * The keys are the same in every language (Y/N, P/F): a line with operators of several
 * languages, and the work instructions on the bench, name one set of keys. The words change.
 */
const CHOICES = {
  'yes-no': [
    { text: 'prompt.yes', key: 'y', hint: 'Y', answer: true },
    { text: 'prompt.no', key: 'n', hint: 'N', answer: false },
  ],
  'pass-fail': [
    { text: 'prompt.pass', key: 'p', hint: 'P', answer: true },
    { text: 'prompt.fail', key: 'f', hint: 'F', answer: false },
  ],
} as const;

/** Number keys pick options 1 to 9. */
const optionKey = (i: number): string | undefined => (i < 9 ? String(i + 1) : undefined);

/** The operator's question, in large type, answered by buttons or keys. */
export function PromptPanel({ prompt, onAnswer, ownsKeys, keys }: Props) {
  const { t, i18n } = useTranslation();
  // The question in the language on screen when procedure.yaml gives it; the answer is always the procedure's own option.
  const said = prompt.translations?.[i18n.language] ?? prompt.translations?.[i18n.language.split('-')[0]!];
  const question = said?.message ?? prompt.message;
  const label = (i: number): string => said?.options?.[i] ?? options[i]!;
  const f = useFormat();
  const id = useId();
  const panel = useRef<HTMLElement>(null);
  const textInput = useRef<HTMLInputElement>(null);
  const okButton = useRef<HTMLButtonElement>(null);
  const [text, setText] = useState('');
  const [picked, setPicked] = useState<readonly string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field: boolean } | null>(null);
  const typed = prompt.kind === 'text' || prompt.kind === 'number';
  const options = prompt.options ?? [];

  // Take focus when the question opens, so the keys work and a screen reader reads it; but
  // not from another socket's open question or a field the operator is typing in.
  useEffect(() => {
    const active = document.activeElement;
    const mine = panel.current?.contains(active) ?? false;
    if (!mine && (active?.closest('[data-prompt]') || isTextEntry(active))) return;
    if (prompt.kind === 'text' || prompt.kind === 'number') textInput.current?.focus();
    else if (prompt.kind === 'confirm') okButton.current?.focus();
    else panel.current?.focus();
  }, [prompt.id, prompt.kind]);

  const answer = async (a: PromptAnswer): Promise<void> => {
    if (busy) return;
    setBusy(true);
    const err = await onAnswer(a);
    setBusy(false);
    if (err) {
      const field = (err.details as { field?: unknown } | undefined)?.field === 'answer';
      setError({ message: errorText(t, err).replace(/^answer: /, ''), field });
      if (typed) textInput.current?.focus();
    }
  };

  const submitTyped = (e: FormEvent): void => {
    e.preventDefault();
    if (prompt.kind === 'number') {
      const n = Number(text.trim().replace(',', '.'));
      if (text.trim() === '' || !Number.isFinite(n)) {
        setError({ message: t('prompt.enterNumber'), field: true });
        textInput.current?.focus();
        return;
      }
      void answer(n);
    } else void answer(text);
  };

  const toggle = (option: string): void => setPicked((p) => (p.includes(option) ? p.filter((x) => x !== option) : [...p, option]));

  // Y / N, P / F, 1–9, Enter. Listened to on the document, after the scanner hook (window,
  // capture): it holds keys that may be a scan and hands over those a person typed.
  const onKey = useEffectEvent((e: KeyboardEvent): void => {
    if (e.defaultPrevented || hasModifier(e) || e.repeat || !ownsKeys()) return;
    if (isTextEntry(document.activeElement)) return;
    const key = e.key.toLowerCase();
    if (prompt.kind === 'yes-no' || prompt.kind === 'pass-fail') {
      const choice = CHOICES[prompt.kind].find((c) => c.key === key);
      if (choice) {
        e.preventDefault();
        void answer(choice.answer);
      }
    } else if (prompt.kind === 'choice' || prompt.kind === 'multi-choice') {
      const i = options.findIndex((_, n) => optionKey(n) === key);
      if (i >= 0) {
        e.preventDefault();
        if (prompt.kind === 'choice') void answer(options[i]!);
        else toggle(options[i]!);
      } else if (prompt.kind === 'multi-choice' && e.key === 'Enter' && !(document.activeElement instanceof HTMLButtonElement)) {
        e.preventDefault();
        void answer([...picked]);
      }
    } else if (prompt.kind === 'confirm' && e.key === 'Enter') {
      // A focused button answers by its own activation.
      if (document.activeElement instanceof HTMLButtonElement) return;
      e.preventDefault();
      void answer(true);
    }
  });
  useEffect(() => {
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const questionId = `${id}-q`;
  const errorId = `${id}-err`;
  const inputId = `${id}-input`;
  const hint = answerHint(t, f, prompt);
  return (
    <section
      ref={panel}
      className="prompt"
      role="dialog"
      data-prompt=""
      aria-labelledby={questionId}
      aria-describedby={hint ? `${id}-hint` : undefined}
      tabIndex={-1}
    >
      <div className="prompt-top">
        <p className="prompt-kicker">{t('prompt.kicker', { phase: prompt.phase })}</p>
        {prompt.expiresAt ? <Countdown until={prompt.expiresAt} /> : null}
      </div>
      {keys ? <p className={`prompt-keys${keys.on ? ' prompt-keys--on' : ''}`}>{keys.hint}</p> : null}
      <h2 id={questionId} className="prompt-question">
        {question}
      </h2>
      {prompt.image ? <img className="prompt-image" src={prompt.image} alt={t('prompt.imageAlt')} /> : null}
      {hint ? (
        <p id={`${id}-hint`} className="prompt-hint">
          {hint}
        </p>
      ) : null}

      {prompt.kind === 'yes-no' || prompt.kind === 'pass-fail' ? (
        <div className="prompt-actions">
          {CHOICES[prompt.kind].map((c) => (
            <button
              key={c.text}
              type="button"
              className={`button button--huge ${c.answer ? 'button--affirm' : 'button--deny'}`}
              onClick={() => void answer(c.answer)}
              disabled={busy}
              aria-keyshortcuts={c.hint}
            >
              {t(c.text)} <Kbd>{c.hint}</Kbd>
            </button>
          ))}
        </div>
      ) : prompt.kind === 'confirm' ? (
        <div className="prompt-actions">
          <button
            ref={okButton}
            data-autofocus=""
            type="button"
            className="button button--huge button--affirm"
            onClick={() => void answer(true)}
            disabled={busy}
            aria-keyshortcuts="Enter"
          >
            {t('prompt.ok')} <Kbd>Enter</Kbd>
          </button>
        </div>
      ) : prompt.kind === 'choice' ? (
        <div className="prompt-options">
          {options.map((o, i) => (
            <button key={o} type="button" className="button button--option" onClick={() => void answer(o)} disabled={busy} aria-keyshortcuts={optionKey(i)}>
              {optionKey(i) ? <Kbd>{optionKey(i)!}</Kbd> : null}
              <span>{label(i)}</span>
            </button>
          ))}
        </div>
      ) : prompt.kind === 'multi-choice' ? (
        <div className="prompt-multi">
          <fieldset className="prompt-checks">
            <legend className="sr-only">{question}</legend>
            {options.map((o, i) => (
              <label key={o} className={`check${picked.includes(o) ? ' check--on' : ''}`}>
                <input type="checkbox" checked={picked.includes(o)} onChange={() => toggle(o)} disabled={busy} aria-keyshortcuts={optionKey(i)} />
                {optionKey(i) ? <Kbd>{optionKey(i)!}</Kbd> : null}
                <span>{label(i)}</span>
              </label>
            ))}
          </fieldset>
          <button
            type="button"
            className="button button--primary button--done"
            onClick={() => void answer([...picked])}
            disabled={busy}
            aria-keyshortcuts="Enter"
          >
            {t('prompt.done')} <Kbd>Enter</Kbd>
          </button>
        </div>
      ) : (
        <form className="prompt-text" onSubmit={submitTyped} noValidate>
          <label htmlFor={inputId} className="prompt-text-label">
            {prompt.kind === 'number' ? (prompt.units ? t('prompt.valueUnits', { units: prompt.units }) : t('prompt.value')) : t('prompt.answer')}
          </label>
          <div className="serial-row">
            <input
              ref={textInput}
              data-autofocus=""
              id={inputId}
              className="serial-input"
              value={text}
              inputMode={prompt.kind === 'number' ? 'decimal' : undefined}
              onChange={(e) => {
                setText(e.target.value);
                setError(null);
              }}
              // Read-only, not disabled, while sending: a disabled field would drop focus.
              readOnly={busy}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={error?.field ? true : undefined}
              aria-describedby={error?.field ? errorId : undefined}
            />
            <button type="submit" className="button button--primary button--start" disabled={busy} aria-keyshortcuts="Enter">
              {t('prompt.send')} <Kbd>Enter</Kbd>
            </button>
          </div>
        </form>
      )}
      {error ? (
        <p id={errorId} className="field-error" role={error.field ? undefined : 'alert'}>
          <span className="field-error-icon" aria-hidden="true">
            !
          </span>
          <span>{error.message}</span>
        </p>
      ) : null}
    </section>
  );
}

/** The shortcut keys of a question, as the hint names them; empty for typed answers. */
export function promptKeys(p: Prompt): string {
  if (p.kind === 'yes-no') return 'Y / N';
  if (p.kind === 'pass-fail') return 'P / F';
  if (p.kind === 'confirm') return 'Enter';
  if (p.kind === 'choice' || p.kind === 'multi-choice') {
    const n = Math.min(p.options?.length ?? 0, 9);
    return n > 1 ? `1–${n}` : n === 1 ? '1' : '';
  }
  return '';
}

/** What a typed answer must look like, when the question says. */
function answerHint(t: TFunction, f: Formatter, p: Prompt): string {
  const n = (x: number): string => (p.units ? `${f.number(x)} ${p.units}` : f.number(x));
  if (p.kind === 'number') {
    if (p.min !== undefined && p.max !== undefined) return t('prompt.between', { min: f.number(p.min), max: n(p.max) });
    if (p.min !== undefined) return t('prompt.atLeast', { min: n(p.min) });
    if (p.max !== undefined) return t('prompt.atMost', { max: n(p.max) });
  }
  if (p.kind === 'text') {
    if (p.minLength !== undefined && p.maxLength !== undefined) return t('prompt.lengthBetween', { min: p.minLength, count: p.maxLength });
    if (p.minLength !== undefined) return t('prompt.lengthAtLeast', { count: p.minLength });
    if (p.maxLength !== undefined) return t('prompt.lengthAtMost', { count: p.maxLength });
  }
  if (p.kind === 'multi-choice') return t('prompt.tickAll');
  return '';
}

function Countdown({ until }: { until: string }) {
  const { t } = useTranslation();
  const now = useNow(true, 250);
  const left = Math.max(0, Math.ceil((Date.parse(until) - now) / 1000));
  return <span className={`prompt-countdown num${left <= 5 ? ' prompt-countdown--low' : ''}`}>{t('prompt.closesIn', { count: left })}</span>;
}
