import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { StationError } from '#contract/errors.ts';
import { Kbd } from '../../components/Kbd.tsx';
import { isTextEntry } from '../../components/dom.ts';

interface Props {
  label: string;
  /** The station waits for a unit: the field is enabled and holds focus. */
  waiting: boolean;
  hint: string;
  onStart(serialNumber: string): Promise<StationError | null>;
  onRefused(message: string): void;
}

/** The scan field: a keyboard-wedge scanner types the serial and presses Enter. */
export function SerialForm({ label, waiting, hint, onStart, onRefused }: Props) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Focus whenever the station starts waiting for a unit: after load, after a run ends;
  // but never take it from another socket's field the operator is typing in.
  useEffect(() => {
    if (waiting && !(isTextEntry(document.activeElement) && document.activeElement !== input.current)) input.current?.focus();
  }, [waiting]);

  const refuse = (message: string): void => {
    setError(message);
    onRefused(message);
    // Keep focus, and select the refused text so the next scan replaces it.
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.select();
    });
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (busy || !waiting) return;
    const serial = value.trim();
    if (!serial) {
      refuse('Scan or type a serial number.');
      return;
    }
    setBusy(true);
    const err = await onStart(serial);
    setBusy(false);
    if (err) {
      refuse(err.message);
    } else {
      setError(null);
      setValue('');
    }
  };

  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  return (
    <form className={`serial-form${waiting ? '' : ' serial-form--busy'}`} onSubmit={(e) => void submit(e)} noValidate>
      <label htmlFor={id} className="serial-label">
        {label}
      </label>
      <div className="serial-row">
        <input
          ref={input}
          id={id}
          data-serial-input=""
          className="serial-input"
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            if (error) setError(null);
          }}
          disabled={!waiting}
          autoComplete="off"
          autoCorrect="off"
          autoCapitalize="characters"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${errorId} ${hintId}` : hintId}
        />
        <button type="submit" className="button button--primary button--start" disabled={!waiting || busy} aria-keyshortcuts="Enter">
          Start test <Kbd>Enter</Kbd>
        </button>
      </div>
      {error ? (
        <p id={errorId} className="field-error">
          <span className="field-error-icon" aria-hidden="true">
            !
          </span>
          <span>{error}</span>
        </p>
      ) : null}
      <p id={hintId} className="field-hint">
        {hint}
      </p>
    </form>
  );
}
