import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { TargetStatus, UploadStatus } from '#contract/upload.ts';
import { useFormat } from '../i18n/use-format.ts';
import type { Formatter } from './format.ts';
import { TARGET_STATE } from './upload-text.ts';

/** One line per target for the tooltip: what a supervisor checks first. */
function describe(t: TFunction, f: Formatter, target: TargetStatus): string {
  const parts = [t('header.targetLine', { id: target.id, label: target.label, state: t(TARGET_STATE[target.state]) })];
  if (target.waiting) parts.push(t('header.uploadsWaiting', { n: f.count(target.waiting) }));
  if (target.parked) parts.push(t('header.uploadsParked', { n: f.count(target.parked) }));
  if (target.lastError) parts.push(t('header.targetLastError', { error: target.lastError }));
  if (target.nextAttemptAt) parts.push(t('header.targetNextAttempt', { time: f.time(target.nextAttemptAt) }));
  return parts.join(' · ');
}

/**
 * The upload queue at a glance, for the operator: online or offline and how many
 * runs wait to reach the plant's systems; each target's state in the tooltip.
 */
export function UploadIndicator({ upload }: { upload: UploadStatus | null }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (!upload || upload.online === null) return null;
  const tone = !upload.online ? 'bad' : upload.parkedRuns > 0 ? 'warn' : 'ok';
  const text = [upload.online ? t('header.uploadsOnline') : t('header.uploadsOffline')];
  if (upload.waitingRuns > 0) text.push(t('header.uploadsWaiting', { n: f.count(upload.waitingRuns) }));
  if (upload.parkedRuns > 0) text.push(t('header.uploadsParked', { n: f.count(upload.parkedRuns) }));
  return (
    <div
      className={`connection upload-status connection--${tone}`}
      role="status"
      aria-label={t('header.uploadsLabel')}
      title={upload.targets.map((x) => describe(t, f, x)).join('\n')}
    >
      <span className="connection-dot" aria-hidden="true" />
      {text.join(' · ')}
    </div>
  );
}
