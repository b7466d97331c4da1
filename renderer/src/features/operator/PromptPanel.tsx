import { useEffect, useEffectEvent, useId, useRef, useState, type FormEvent } from 'react';
import type { Prompt, PromptAnswer } from '#contract/prompts.ts';
import type { StationError } from '#contract/errors.ts';
import { Kbd } from '../../components/Kbd.tsx';
import { hasModifier, isTextEntry } from '../../components/dom.ts';

interface Props {
  prompt: Prompt;
  onAnswer(answer: PromptAnswer): Promise<StationError | null>;
  /** Whether a key press belongs to this prompt (its socket owns the keyboard). */
  ownsKeys(): boolean;
}

const CHOICES = {
  'yes-no': [
    { text: 'Yes', key: 'y', hint: 'Y', answer: true },
    { text: 'No', key: 'n', hint: 'N', answer: false },
  ],
  'pass-fail': [
    { text: 'Pass', key: 'p', hint: 'P', answer: true },
    { text: 'Fail', key: 'f', hint: 'F', answer: false },
  ],
} as const;

/** The operator's question, in large type, answered by buttons or keys. */
export function PromptPanel({ prompt, onAnswer, ownsKeys }: Props) {
  const id = useId();
  const panel = useRef<HTMLElement>(null);
  const textInput = useRef<HTMLInputElement>(null);
  const okButton = useRef<HTMLButtonElement>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field: boolean } | null>(null);

  // Take focus when the question opens, so the keys work and a screen reader reads it.
  useEffect(() => {
    if (prompt.kind === 'text') textInput.current?.focus();
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
      setError({ message: err.message.replace(/^answer: /, ''), field });
      if (prompt.kind === 'text') textInput.current?.focus();
    }
  };

  // Y / N, P / F, Enter: captured before the scan-field redirect sees them.
  const onKey = useEffectEvent((e: KeyboardEvent): void => {
    if (e.defaultPrevented || hasModifier(e) || e.repeat || !ownsKeys()) return;
    if (prompt.kind === 'yes-no' || prompt.kind === 'pass-fail') {
      if (isTextEntry(document.activeElement)) return;
      const choice = CHOICES[prompt.kind].find((c) => c.key === e.key.toLowerCase());
      if (choice) {
        e.preventDefault();
        void answer(choice.answer);
      }
    } else if (prompt.kind === 'confirm' && e.key === 'Enter') {
      // A focused button answers by its own activation.
      if (document.activeElement instanceof HTMLButtonElement) return;
      e.preventDefault();
      void answer(true);
    }
  });
  useEffect(() => {
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  const submitText = (e: FormEvent): void => {
    e.preventDefault();
    void answer(text);
  };

  const questionId = `${id}-q`;
  const errorId = `${id}-err`;
  return (
    <section ref={panel} className="prompt" role="dialog" aria-labelledby={questionId} tabIndex={-1}>
      <p className="prompt-kicker">Operator check · {prompt.phase}</p>
      <h2 id={questionId} className="prompt-question">
        {prompt.message}
      </h2>
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
              {c.text} <Kbd>{c.hint}</Kbd>
            </button>
          ))}
        </div>
      ) : prompt.kind === 'confirm' ? (
        <div className="prompt-actions">
          <button ref={okButton} type="button" className="button button--huge button--affirm" onClick={() => void answer(true)} disabled={busy} aria-keyshortcuts="Enter">
            OK <Kbd>Enter</Kbd>
          </button>
        </div>
      ) : (
        <form className="prompt-text" onSubmit={submitText} noValidate>
          <label htmlFor={`${id}-text`} className="prompt-text-label">
            Answer
          </label>
          <div className="serial-row">
            <input
              ref={textInput}
              id={`${id}-text`}
              className="serial-input"
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                setError(null);
              }}
              disabled={busy}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={error?.field ? true : undefined}
              aria-describedby={error?.field ? errorId : undefined}
            />
            <button type="submit" className="button button--primary button--start" disabled={busy} aria-keyshortcuts="Enter">
              Send <Kbd>Enter</Kbd>
            </button>
          </div>
          {error?.field ? (
            <p id={errorId} className="field-error">
              <span className="field-error-icon" aria-hidden="true">
                !
              </span>
              <span>{error.message}</span>
            </p>
          ) : null}
        </form>
      )}
      {error && !error.field ? (
        <p className="field-error" role="alert">
          {error.message}
        </p>
      ) : null}
    </section>
  );
}
