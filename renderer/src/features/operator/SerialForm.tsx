import { useEffect, useId, useImperativeHandle, useRef, useState, type FormEvent, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
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
  ref?: Ref<SerialFormHandle>;
}

/** What the scanner hook does with a socket's form. */
export interface SerialFormHandle {
  /** Starts a scanned unit: the label replaces whatever was typed. Resolves with the refusal, if any. */
  scan(serial: string): Promise<StationError | null>;
}

/** The scan field: a keyboard-wedge scanner types the serial and presses Enter. */
export function SerialForm({ label, waiting, hint, onStart, onRefused, ref }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Set at once: a second Enter before React re-renders must see the first start in flight.
  const starting = useRef(false);

  // Focus whenever the station starts waiting for a unit: after load, after a run ends;
  // but never take it from another socket's field the operator is typing in, nor from
  // an open question (the next Y would be typed into this field).
  useEffect(() => {
    if (!waiting || document.querySelector('[data-prompt]')) return;
    if (!(isTextEntry(document.activeElement) && document.activeElement !== input.current)) input.current?.focus();
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

  const startSerial = async (serial: string): Promise<StationError | null> => {
    starting.current = true;
    setBusy(true);
    const err = await onStart(serial);
    starting.current = false;
    setBusy(false);
    if (err) refuse(err.message);
    else {
      setError(null);
      setValue('');
    }
    return err;
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (starting.current || !waiting) return;
    const serial = value.trim();
    if (!serial) {
      refuse(t('operator.serialMissing'));
      return;
    }
    await startSerial(serial);
  };

  useImperativeHandle(ref, () => ({
    scan: (serial) => {
      if (starting.current || !waiting) return Promise.resolve({ kind: 'busy', message: t('operator.socketStarting') });
      setValue(serial);
      setError(null);
      return startSerial(serial);
    },
  }));

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
          {t('operator.start')} <Kbd>Enter</Kbd>
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
