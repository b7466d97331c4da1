import { useEffect, useState, type InputHTMLAttributes } from 'react';

/**
 * A date field (value yyyy-mm-dd) that becomes Chromium's date picker just after the page's
 * first frame. The first date input a page makes costs 40-60 ms on the station PC (measured:
 * the picker's locale setup), which would hold back the rows History opens with; until then
 * it is a text field taking the same yyyy-mm-dd value.
 */
export function DateInput(props: Omit<InputHTMLAttributes<HTMLInputElement>, 'type'> & { value: string }) {
  const [picker, setPicker] = useState(pickerReady);
  useEffect(() => {
    if (picker) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      // After the frame that shows the page: the next task, not before paint.
      timer = setTimeout(() => {
        pickerReady = true;
        setPicker(true);
      }, 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [picker]);
  return picker ? <input {...props} type="date" /> : <input {...props} type="text" inputMode="numeric" placeholder="yyyy-mm-dd" pattern="\d{4}-\d{2}-\d{2}" />;
}

/** Once a page has made its first picker, later ones are cheap: no text field first. */
let pickerReady = false;
