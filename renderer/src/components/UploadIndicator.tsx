import type { TargetStatus, UploadStatus } from '#contract/upload.ts';
import { formatTime } from './format.ts';

/** One line per target for the tooltip: what a supervisor checks first. */
function describe(t: TargetStatus): string {
  const parts = [`${t.id} (${t.label}): ${t.state}`];
  if (t.waiting) parts.push(`${t.waiting} waiting`);
  if (t.parked) parts.push(`${t.parked} parked`);
  if (t.lastError) parts.push(`last error: ${t.lastError}`);
  if (t.nextAttemptAt) parts.push(`next attempt ${formatTime(t.nextAttemptAt)}`);
  return parts.join(' · ');
}

/**
 * The upload queue at a glance, for the operator: online or offline and how many
 * runs wait to reach the plant's systems; each target's state in the tooltip.
 */
export function UploadIndicator({ upload }: { upload: UploadStatus | null }) {
  if (!upload || upload.online === null) return null;
  const tone = !upload.online ? 'bad' : upload.parkedRuns > 0 ? 'warn' : 'ok';
  const text = [upload.online ? 'Uploads online' : 'Uploads offline'];
  if (upload.waitingRuns > 0) text.push(`${upload.waitingRuns} waiting`);
  if (upload.parkedRuns > 0) text.push(`${upload.parkedRuns} parked`);
  return (
    <div className={`connection upload-status connection--${tone}`} role="status" aria-label="Uploads" title={upload.targets.map(describe).join('\n')}>
      <span className="connection-dot" aria-hidden="true" />
      {text.join(' · ')}
    </div>
  );
}
