import { fault, message } from '#contract/messages.ts';
import { notSupervisor } from '#station/auth/refusals.ts';
import { randomUUID } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { CommandArgs, CommandHandlers } from '#contract/commands.ts';
import { StationFault, toStationError } from '#contract/errors.ts';
import type { ProcedureFile, ProcedureSummary } from '#contract/procedure.ts';
import type { FieldDiff, ProcedureChangeResult, ProcedureDraft, ProcedureListItem } from '#contract/procedures.ts';
import type { Settings } from '#contract/settings.ts';
import { diffValues, type AuditLog } from '#station/store/audit.ts';
import { procedureRecord } from '#station/audit-trail.ts';
import type { PeopleRepo } from '#station/auth/people.ts';
import type { Socket } from '#station/sockets/socket.ts';
import { applyChanges, checkPromptImages, diffProcedures, imagesIn, withVersion, bumpPatch, writeProcedureFile } from './edit.ts';
import { PROCEDURE_FILE, readProcedureVersion } from './files.ts';
import { parseProcedureFile } from './load.ts';
import type { ProcedureVersions } from './versions.ts';

type EditCommand =
  | 'procedures.list'
  | 'procedures.assign'
  | 'procedures.get'
  | 'procedures.preview'
  | 'procedures.propose'
  | 'procedures.drafts'
  | 'procedures.approve'
  | 'procedures.reject'
  | 'procedures.rollback';

/** Who writes a change found on disk into the trail and the drafts. */
export const OUTSIDE = 'outside';

export interface DeskDeps<C> {
  db: DatabaseSync;
  dataDir: string;
  settings: Settings;
  /** The sequence folder. */
  root: string;
  sockets: readonly Socket[];
  auditLog: AuditLog;
  audit: (actor: string, action: string, details: Record<string, unknown>, procedureId?: string) => void;
  actor: (caller: C) => string;
  people: PeopleRepo;
  versions: ProcedureVersions;
  findDir: (id: string) => Promise<string>;
  /** Writes socketProcedures into the settings file. */
  saveSettings: (patch: Partial<Settings>) => void;
  /** The station watches this folder (a socket was assigned one it did not run). */
  watch: (dir: string) => void;
  log: (level: 'info' | 'warning' | 'error', message: string) => void;
}

interface DraftRow {
  id: string;
  procedure_id: string;
  kind: ProcedureDraft['kind'];
  state: ProcedureDraft['state'];
  author: string;
  reason: string;
  base_hash: string;
  base_version: string;
  version: string;
  hash: string | null;
  text: string;
  diff: string;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
}

const toDraft = (r: DraftRow): ProcedureDraft => ({
  id: r.id,
  procedureId: r.procedure_id,
  kind: r.kind,
  state: r.state,
  author: r.author,
  reason: r.reason,
  baseHash: r.base_hash,
  baseVersion: r.base_version,
  version: r.version,
  hash: r.hash,
  diff: JSON.parse(r.diff) as FieldDiff[],
  createdAt: r.created_at,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  decisionReason: r.decision_reason,
});

const words = (diff: readonly FieldDiff[]): string[] => diff.map((d) => d.words);

/**
 * The supervisor's side of procedures: which socket runs what, edits of procedure.yaml under
 * change control, rollbacks, and changes found on disk. The folder on disk is what runs unless
 * approval is on and it holds a change not yet approved: then the sockets run a copy of the
 * approved version (data dir, approved-procedures/) until a second supervisor approves.
 */
export class ProcedureDesk<C> {
  private readonly d: DeskDeps<C>;
  /** Per folder: the hash last approved (written by the app, or on disk when the station started). */
  private readonly approved = new Map<string, { hash: string; copy: string | null }>();
  /** Per folder: a write in progress; a change noticed meanwhile waits for it. */
  private readonly writing = new Map<string, Promise<unknown>>();

  constructor(d: DeskDeps<C>) {
    this.d = d;
  }

  private get needApproval(): boolean {
    return this.d.settings.procedureChangesNeedApproval;
  }

  /**
   * At start: what is on disk is the approved version (its copy kept when approval is on),
   * unless approval is on and the folder differs from the version that ran last: then that
   * version is rebuilt from the store as the approved copy (returned per folder, for the
   * sockets to start on) and the change on disk waits as a draft.
   */
  async baseline(dirs: readonly string[]): Promise<Map<string, string>> {
    const pins = new Map<string, string>();
    for (const dir of new Set(dirs)) {
      try {
        if (this.needApproval) {
          const { hash } = await readProcedureVersion(dir);
          const id = (await this.fileOf(dir)).file.id;
          const last = this.lastLoaded(id);
          const copy = last && last !== hash ? await this.rebuild(id, last) : null;
          if (copy) {
            this.approved.set(dir, { hash: last!, copy });
            pins.set(dir, copy);
            await this.outsideDraft(dir, last!, hash);
            continue;
          }
        }
        await this.markApproved(dir);
      } catch (e) {
        this.d.log('warning', `procedures: ${(e as Error).message}`);
      }
    }
    return pins;
  }

  /** The hash that ran last by the trail (a change still waiting for approval never ran). */
  private lastLoaded(id: string): string | null {
    const e = this.d.auditLog
      .list({ procedureId: id, limit: 200 })
      .find(
        (x) =>
          (x.action === 'procedure.changed' || x.action === 'procedure.changedOutside') &&
          !(x.details as { awaitingApproval?: boolean } | null)?.awaitingApproval,
      );
    const det = (e?.details ?? {}) as { hash?: string; procedure?: { hash?: string } };
    return det.procedure?.hash ?? det.hash ?? null;
  }

  /** A kept version written back into a folder of the data dir; null unless every file's text was kept and the hash comes out the same. */
  private async rebuild(id: string, hash: string): Promise<string | null> {
    let kept;
    try {
      kept = this.d.versions.get(id, hash);
    } catch {
      return null;
    }
    if (kept.files.some((f) => f.text === undefined)) return null;
    const dir = join(this.d.dataDir, 'approved-procedures', `${id}-${hash.slice(0, 16)}`);
    await rm(dir, { recursive: true, force: true });
    for (const f of kept.files) {
      await mkdir(dirname(join(dir, f.name)), { recursive: true });
      await writeFile(join(dir, f.name), f.text!);
    }
    if ((await readProcedureVersion(dir).catch(() => null))?.hash === hash) return dir;
    await rm(dir, { recursive: true, force: true });
    return null;
  }

  private async markApproved(dir: string): Promise<string> {
    const { hash } = await readProcedureVersion(dir);
    let copy: string | null = null;
    if (this.needApproval) {
      const id = (await this.fileOf(dir)).file.id;
      copy = join(this.d.dataDir, 'approved-procedures', `${id}-${hash.slice(0, 16)}`);
      await rm(copy, { recursive: true, force: true });
      await mkdir(join(this.d.dataDir, 'approved-procedures'), { recursive: true });
      await cp(dir, copy, { recursive: true });
    }
    const old = this.approved.get(dir);
    this.approved.set(dir, { hash, copy });
    if (old?.copy && old.copy !== copy) await rm(old.copy, { recursive: true, force: true }).catch(() => undefined);
    return hash;
  }

  private async fileOf(dir: string): Promise<{ text: string; file: ProcedureFile }> {
    const text = await readFile(join(dir, PROCEDURE_FILE), 'utf8');
    return { text, file: parseProcedureFile(text, join(dir, PROCEDURE_FILE)) };
  }

  private socketsOf(dir: string): Socket[] {
    return this.d.sockets.filter((s) => s.dir === dir);
  }

  /** The folder's files changed (the watcher): reload, or keep the approved copy running while the change waits. */
  async diskChanged(dir: string): Promise<void> {
    await this.writing.get(dir);
    const sockets = this.socketsOf(dir);
    let hash: string;
    try {
      hash = (await readProcedureVersion(dir)).hash;
    } catch {
      for (const s of sockets) s.reload();
      return;
    }
    const approved = this.approved.get(dir);
    if (sockets.every((s) => s.procedure?.hash === hash && s.procedure.dir === dir) && approved?.hash === hash) return;
    if (!this.needApproval || !approved || approved.hash === hash) {
      // Back to the approved version on disk: a change found there before is no longer pending.
      if (approved?.hash === hash && approved.copy)
        this.d.db.prepare(`UPDATE procedure_drafts SET state = 'superseded' WHERE kind = 'outside' AND state = 'pending' AND base_hash = ?`).run(hash);
      for (const s of sockets) if (!s.setSource(dir, null)) s.reload();
      return;
    }
    await this.outsideDraft(dir, approved.hash, hash);
    for (const s of sockets) s.setSource(dir, approved.copy);
  }

  /** A change on disk while approval is on: recorded as changed outside the app and kept as a draft. */
  private async outsideDraft(dir: string, baseHash: string, hash: string): Promise<void> {
    let now: { text: string; file: ProcedureFile };
    try {
      now = await this.fileOf(dir);
    } catch (e) {
      this.d.log('warning', `procedures: ${dir} changed and does not load: ${toStationError(e).message}`);
      return;
    }
    const id = now.file.id;
    const pending = this.d.db
      .prepare(`SELECT id FROM procedure_drafts WHERE procedure_id = ? AND kind = 'outside' AND state = 'pending' AND hash = ?`)
      .get(id, hash);
    if (pending) return;
    const { diff, files, baseVersion } = this.outsideDiff(id, baseHash, now.file, await readProcedureVersion(dir));
    this.d.db.prepare(`UPDATE procedure_drafts SET state = 'superseded' WHERE procedure_id = ? AND kind = 'outside' AND state = 'pending'`).run(id);
    const draftId = randomUUID();
    this.insert({
      id: draftId,
      procedureId: id,
      kind: 'outside',
      author: OUTSIDE,
      reason: 'changed outside the app',
      baseHash,
      baseVersion,
      version: now.file.version,
      hash,
      text: now.text,
      diff,
    });
    this.d.audit(
      OUTSIDE,
      'procedure.changedOutside',
      { hash, previousHash: baseHash, dir, version: now.file.version, draftId, awaitingApproval: true, words: words(diff), changes: diff, files },
      id,
    );
    this.d.log('warning', `procedure ${id} changed on disk: waiting for a supervisor's approval; the approved version keeps running`);
  }

  /** Field by field from the kept version `baseHash` to what is on disk, and the other files that changed. */
  private outsideDiff(
    id: string,
    baseHash: string,
    file: ProcedureFile,
    now: { files: readonly { name: string; sha256: string }[] },
  ): { diff: FieldDiff[]; files: string[]; baseVersion: string } {
    try {
      const base = this.d.versions.get(id, baseHash);
      const text = base.files.find((f) => f.name === PROCEDURE_FILE)?.text;
      const diff = text === undefined ? [] : diffProcedures(parseProcedureFile(text, PROCEDURE_FILE), file);
      const before = new Map(base.files.map((f) => [f.name, f.sha256]));
      const after = new Map(now.files.map((f) => [f.name, f.sha256]));
      const files = [...new Set([...before.keys(), ...after.keys()])].filter((n) => n !== PROCEDURE_FILE && before.get(n) !== after.get(n)).sort();
      return { diff, files, baseVersion: base.item.version };
    } catch {
      return { diff: [], files: [], baseVersion: '?' };
    }
  }

  /**
   * A procedure loaded: content the trail has not seen last for its id is recorded. The first
   * load ever is `procedure.changed` by the station; content the app wrote is already in the
   * trail; anything else was changed outside the app: `procedure.changedOutside` with the diff.
   */
  onLoaded(p: ProcedureSummary, record: () => void): void {
    // A load of what the app is writing now is looked at once its trail entry is in.
    const writing = this.writing.get(p.dir);
    if (writing) {
      void writing.then(() => this.onLoaded(p, record));
      return;
    }
    // What ran last: a change on disk still waiting for approval (awaitingApproval) never loaded.
    const entries = this.d.auditLog
      .list({ procedureId: p.id, limit: 200 })
      .filter(
        (e) =>
          (e.action === 'procedure.changed' || e.action === 'procedure.changedOutside') &&
          !(e.details as { awaitingApproval?: boolean } | null)?.awaitingApproval,
      );
    const last = entries[0];
    const det = (last?.details ?? {}) as { hash?: string; procedure?: { hash?: string } };
    const lastHash = det.procedure?.hash ?? det.hash;
    if (lastHash === p.hash) return;
    if (!last) return record();
    const beforeRecord = (
      entries.find((e) => (e.details as { procedure?: unknown } | null)?.procedure)?.details as { procedure: Record<string, unknown> } | undefined
    )?.procedure;
    // The text of the version before comes from the kept versions, written in load order.
    void this.d.versions.idle().then(() => this.recordOutside(p, lastHash ?? null, beforeRecord ?? {}));
  }

  private recordOutside(p: ProcedureSummary, lastHash: string | null, beforeRecord: Record<string, unknown>): void {
    const file = (() => {
      try {
        return parseProcedureFile(this.d.versions.get(p.id, p.hash).files.find((f) => f.name === PROCEDURE_FILE)?.text ?? '', PROCEDURE_FILE);
      } catch {
        return null;
      }
    })();
    const { diff, files } = file ? this.outsideDiff(p.id, lastHash ?? '', file, { files: p.files ?? [] }) : { diff: [], files: [] };
    const now = procedureRecord(p);
    this.d.audit(
      OUTSIDE,
      'procedure.changedOutside',
      {
        hash: p.hash,
        previousHash: lastHash,
        dir: p.dir,
        version: p.version,
        words: words(diff),
        changes: diff,
        files,
        diff: diffValues(beforeRecord, now),
        procedure: now,
      },
      p.id,
    );
  }

  private insert(r: {
    id: string;
    procedureId: string;
    kind: ProcedureDraft['kind'];
    author: string;
    reason: string;
    baseHash: string;
    baseVersion: string;
    version: string;
    hash: string | null;
    text: string;
    diff: FieldDiff[];
  }): void {
    this.d.db
      .prepare(
        `INSERT INTO procedure_drafts (id, procedure_id, kind, author, reason, base_hash, base_version, version, hash, text, diff, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.id,
        r.procedureId,
        r.kind,
        r.author,
        r.reason,
        r.baseHash,
        r.baseVersion,
        r.version,
        r.hash,
        r.text,
        JSON.stringify(r.diff),
        new Date().toISOString(),
      );
  }

  private draft(id: string): DraftRow {
    const r = this.d.db.prepare('SELECT * FROM procedure_drafts WHERE id = ?').get(id) as DraftRow | undefined;
    if (!r) throw fault('not-found', 'draftUnknown', { id }, { field: 'draftId' });
    return r;
  }

  /** Writes a new procedure.yaml (an approved change): trail, approved copy, sockets reload between runs. */
  private async write(
    dir: string,
    id: string,
    text: string,
    o: { author: string; approver: string | null; reason: string; diff: FieldDiff[]; previousHash: string; kind: string; draftId: string | null },
  ): Promise<string> {
    // Until its trail entry is in, a load of this folder waits (onLoaded) and so does a look at the disk (diskChanged).
    let release = (): void => {};
    const done = new Promise<void>((r) => (release = r));
    this.writing.set(dir, done);
    try {
      writeProcedureFile(dir, text);
      // Each socket loads it now if idle, else when its run ends (Socket.reload); the approved copy is taken meanwhile.
      for (const s of this.socketsOf(dir)) if (!s.setSource(dir, null)) s.reload();
      const hash = await this.markApproved(dir);
      const version = parseProcedureFile(text, PROCEDURE_FILE).version;
      this.d.audit(
        o.author,
        'procedure.changed',
        {
          hash,
          previousHash: o.previousHash,
          dir,
          version,
          kind: o.kind,
          author: o.author,
          approver: o.approver,
          reason: o.reason,
          draftId: o.draftId,
          words: words(o.diff),
          changes: o.diff,
        },
        id,
      );
      return hash;
    } finally {
      if (this.writing.get(dir) === done) this.writing.delete(dir);
      release();
    }
  }

  /** A change (edit or rollback) ready to write: written now, or kept as a draft when approval is on. */
  private async change(
    caller: C,
    kind: 'edit' | 'rollback',
    id: string,
    dir: string,
    base: { hash: string; version: string },
    next: { text: string; version: string; diff: FieldDiff[] },
    reason: string,
    extra: Record<string, unknown> = {},
  ): Promise<ProcedureChangeResult> {
    const who = this.d.actor(caller);
    if (this.needApproval) {
      const draftId = randomUUID();
      this.insert({
        id: draftId,
        procedureId: id,
        kind,
        author: who,
        reason,
        baseHash: base.hash,
        baseVersion: base.version,
        version: next.version,
        hash: null,
        text: next.text,
        diff: next.diff,
      });
      this.d.audit(
        who,
        kind === 'edit' ? 'procedure.proposed' : 'procedure.rollbackProposed',
        { draftId, kind, reason, baseHash: base.hash, version: next.version, words: words(next.diff), changes: next.diff, ...extra },
        id,
      );
      return { procedureId: id, state: 'draft', draftId, version: next.version, hash: null, diff: next.diff };
    }
    const hash = await this.write(dir, id, next.text, { author: who, approver: null, reason, diff: next.diff, previousHash: base.hash, kind, draftId: null });
    if (kind === 'rollback') this.d.audit(who, 'procedure.rolledBack', { reason, hash, version: next.version, ...extra }, id);
    return { procedureId: id, state: 'applied', draftId: null, version: next.version, hash, diff: next.diff };
  }

  private async current(id: string): Promise<{ dir: string; text: string; file: ProcedureFile; hash: string }> {
    const dir = await this.d.findDir(id);
    const { text, file } = await this.fileOf(dir);
    return { dir, text, file, hash: (await readProcedureVersion(dir)).hash };
  }

  /** A supervisor's edits applied to the file as it is now, checked as a load would check them: what propose writes, preview shows. */
  private async edited(i: CommandArgs<'procedures.preview'>) {
    const c = await this.current(i.procedureId);
    if (c.hash !== i.baseHash) throw this.stale(i.baseHash, c.hash);
    const next = applyChanges(c.text, i.changes);
    checkPromptImages(next.file, next.before, await imagesIn(c.dir));
    const diff = diffProcedures(next.before, next.file).filter((x) => x.path[0] !== 'version');
    if (diff.length === 0) throw fault('invalid-input', 'nothingToSave', {}, { field: 'changes' });
    return { c, next, diff };
  }

  private stale(baseHash: string, now: string): StationFault {
    return fault('invalid-input', 'procedureStale', { was: baseHash.slice(0, 12), now: now.slice(0, 12) }, { field: 'baseHash', baseHash, hash: now });
  }

  private async list(): Promise<{ folder: string; procedures: ProcedureListItem[] }> {
    const root = this.d.root;
    const names = (await readdir(root).catch(() => [] as string[])).sort();
    const items: ProcedureListItem[] = [];
    for (const name of names) {
      const dir = join(root, name);
      if (
        !(await stat(dir).then(
          (s) => s.isDirectory(),
          () => false,
        ))
      )
        continue;
      if (
        !(await stat(join(dir, PROCEDURE_FILE)).then(
          () => true,
          () => false,
        ))
      )
        continue;
      const sockets = this.socketsOf(dir).map((s) => s.index);
      try {
        const { file } = await this.fileOf(dir);
        const hash = await readProcedureVersion(dir).then(
          (v) => v.hash,
          () => null,
        );
        const loaded = this.socketsOf(dir).find((s) => s.procedureError ?? s.procedureWarning);
        const err = loaded ? (loaded.procedureWarning ?? loaded.procedureError)!.toJSON() : null;
        const pending = this.d.db.prepare(`SELECT count(*) AS n FROM procedure_drafts WHERE procedure_id = ? AND state = 'pending'`).get(file.id) as {
          n: number;
        };
        items.push({
          id: file.id,
          name: file.name,
          version: file.version,
          hash,
          dir,
          sockets,
          error: err ? errorOf(err) : null,
          pendingDrafts: Number(pending.n),
        });
      } catch (e) {
        items.push({ id: name, name: null, version: null, hash: null, dir, sockets, error: errorOf(toStationError(e)), pendingDrafts: 0 });
      }
    }
    return { folder: root, procedures: items };
  }

  handlers(): Pick<CommandHandlers<C>, EditCommand> {
    const d = this.d;
    return {
      'procedures.list': async () => ({
        ...(await this.list()),
        sockets: d.sockets.map((s) => ({
          socket: s.index,
          procedureId: d.settings.socketProcedures[s.index] ?? d.settings.procedureId,
          loadedHash: s.procedure?.hash ?? null,
          loadedVersion: s.procedure?.version ?? null,
        })),
        approvalRequired: this.needApproval,
      }),
      'procedures.assign': async (i, caller) => {
        const s = d.sockets[i.socket];
        if (!s) throw fault('invalid-input', 'socketNone', { socket: i.socket, count: d.sockets.length }, { field: 'socket' }, 'socket');
        if (s.state === 'running') throw fault('busy', 'socketRunningAssign', { socket: i.socket + 1 }, { field: 'socket' });
        const dir = await d.findDir(i.procedureId).catch((e: unknown) => {
          throw new StationFault('invalid-input', toStationError(e).message, { field: 'procedureId' });
        });
        const list = d.sockets.map((x) => d.settings.socketProcedures[x.index] ?? d.settings.procedureId);
        const before = list[i.socket];
        list[i.socket] = i.procedureId;
        d.saveSettings({ socketProcedures: list });
        d.settings.socketProcedures = list;
        if (!this.approved.has(dir)) await this.markApproved(dir).catch(() => undefined);
        d.watch(dir);
        s.setSource(dir, null);
        d.audit(d.actor(caller), 'procedure.assigned', { socket: i.socket, procedureId: i.procedureId, previous: before ?? null, dir }, i.procedureId);
        return { socket: i.socket, procedureId: i.procedureId };
      },
      'procedures.get': async (i) => {
        const c = await this.current(i.procedureId);
        return { procedureId: i.procedureId, dir: c.dir, version: c.file.version, hash: c.hash, file: c.file, text: c.text, images: await imagesIn(c.dir) };
      },
      'procedures.preview': async (i) => {
        const { next, diff } = await this.edited(i);
        return { procedureId: i.procedureId, version: next.file.version, diff };
      },
      'procedures.propose': async (i, caller) => {
        const { c, next, diff } = await this.edited(i);
        return this.change(
          caller,
          'edit',
          i.procedureId,
          c.dir,
          { hash: c.hash, version: c.file.version },
          { text: next.text, version: next.file.version, diff },
          i.reason,
        );
      },
      'procedures.drafts': (i) => {
        const rows = (i.procedureId === undefined
          ? d.db.prepare('SELECT * FROM procedure_drafts ORDER BY created_at DESC, rowid DESC').all()
          : d.db
              .prepare('SELECT * FROM procedure_drafts WHERE procedure_id = ? ORDER BY created_at DESC, rowid DESC')
              .all(i.procedureId)) as unknown as DraftRow[];
        return { drafts: rows.map(toDraft) };
      },
      'procedures.approve': (i, caller) => this.approve(i, caller),
      'procedures.reject': (i, caller) => {
        const r = this.draft(i.draftId);
        if (r.state !== 'pending') throw fault('invalid-input', 'draftDecided', { id: r.id, context: r.state }, { field: 'draftId' });
        const who = d.actor(caller);
        d.db
          .prepare(`UPDATE procedure_drafts SET state = 'rejected', decided_by = ?, decided_at = ?, decision_reason = ? WHERE id = ?`)
          .run(who, new Date().toISOString(), i.reason, r.id);
        d.audit(
          who,
          'procedure.rejected',
          { draftId: r.id, kind: r.kind, author: r.author, reason: i.reason, words: words(JSON.parse(r.diff) as FieldDiff[]) },
          r.procedure_id,
        );
        return { draftId: r.id, procedureId: r.procedure_id };
      },
      'procedures.rollback': async (i, caller) => {
        const c = await this.current(i.procedureId);
        const target = d.versions.get(i.procedureId, i.toHash);
        const now = await readProcedureVersion(c.dir);
        const nowFiles = new Map(now.files.map((f) => [f.name, f.sha256]));
        const thenFiles = new Map(target.files.map((f) => [f.name, f.sha256]));
        const differ = [...new Set([...nowFiles.keys(), ...thenFiles.keys()])]
          .filter((n) => n !== PROCEDURE_FILE && nowFiles.get(n) !== thenFiles.get(n))
          .sort();
        if (differ.length)
          throw fault('invalid-input', 'rollbackCode', { version: target.item.version, files: differ.join(', ') }, { field: 'toHash', files: differ });
        const old = target.files.find((f) => f.name === PROCEDURE_FILE)?.text;
        if (old === undefined) throw fault('not-found', 'rollbackNotKept', { version: target.item.version }, { field: 'toHash' });
        const version = bumpPatch(c.file.version);
        const text = withVersion(old, version);
        const diff = diffProcedures(c.file, parseProcedureFile(text, PROCEDURE_FILE)).filter((x) => x.path[0] !== 'version');
        if (diff.length === 0)
          throw fault(
            'invalid-input',
            'rollbackSame',
            { version: target.item.version },
            {
              field: 'toHash',
            },
          );
        return this.change(caller, 'rollback', i.procedureId, c.dir, { hash: c.hash, version: c.file.version }, { text, version, diff }, i.reason, {
          toHash: i.toHash,
          toVersion: target.item.version,
        });
      },
    };
  }

  private async approve(i: CommandArgs<'procedures.approve'>, caller: C): Promise<{ draftId: string; procedureId: string; version: string; hash: string }> {
    const d = this.d;
    const r = this.draft(i.draftId);
    if (r.state !== 'pending') throw fault('invalid-input', 'draftDecided', { id: r.id, context: r.state }, { field: 'draftId' });
    const check = await d.people.check(i.supervisorId, i.pin);
    const own = (badge: string) => ({ reason: message('ownChange', { badge }), key: 'ownChange' as const, params: { badge } });
    const problem = !check.ok
      ? check
      : check.person.role !== 'supervisor' && check.person.role !== 'admin'
        ? notSupervisor(check.person)
        : check.person.badge === r.author
          ? own(check.person.badge)
          : null;
    if (problem !== null) {
      d.audit(i.supervisorId, 'procedure.approvalRefused', { draftId: r.id, reason: problem.reason, by: d.actor(caller) }, r.procedure_id);
      throw fault(
        'supervisor.invalid',
        'notApproved',
        { ...problem.params, reason: problem.key },
        { field: problem.reason.includes('PIN') ? 'pin' : 'supervisorId' },
      );
    }
    const approver = i.supervisorId;
    const dir = await d.findDir(r.procedure_id);
    const nowHash = (await readProcedureVersion(dir)).hash;
    const diff = JSON.parse(r.diff) as FieldDiff[];
    let hash: string;
    if (r.kind === 'outside') {
      if (nowHash !== r.hash) throw this.stale(r.hash ?? '', nowHash);
      hash = await this.markApproved(dir);
      d.audit(
        approver,
        'procedure.changed',
        {
          hash,
          previousHash: r.base_hash,
          dir,
          version: r.version,
          kind: 'outside',
          author: OUTSIDE,
          approver,
          reason: r.reason,
          draftId: r.id,
          words: words(diff),
          changes: diff,
        },
        r.procedure_id,
      );
      for (const s of this.socketsOf(dir)) s.setSource(dir, null);
    } else {
      if (nowHash !== r.base_hash) throw this.stale(r.base_hash, nowHash);
      hash = await this.write(dir, r.procedure_id, r.text, {
        author: r.author,
        approver,
        reason: r.reason,
        diff,
        previousHash: r.base_hash,
        kind: r.kind,
        draftId: r.id,
      });
      if (r.kind === 'rollback')
        d.audit(r.author, 'procedure.rolledBack', { reason: r.reason, hash, version: r.version, approver, draftId: r.id }, r.procedure_id);
    }
    d.db
      .prepare(`UPDATE procedure_drafts SET state = 'approved', hash = ?, decided_by = ?, decided_at = ? WHERE id = ?`)
      .run(hash, approver, new Date().toISOString(), r.id);
    d.audit(
      approver,
      'procedure.approved',
      { draftId: r.id, kind: r.kind, author: r.author, reason: r.reason, hash, version: r.version, words: words(diff) },
      r.procedure_id,
    );
    return { draftId: r.id, procedureId: r.procedure_id, version: r.version, hash };
  }
}

function errorOf(e: { message: string; details?: unknown }): ProcedureListItem['error'] {
  const det = (e.details ?? {}) as { file?: unknown; line?: unknown; issues?: unknown };
  const first = e.message.split('\n')[0]!;
  const m = /^(.*?):(\d+): ([^:]+): /.exec(first);
  return {
    message: e.message,
    ...(typeof det.file === 'string' ? { file: det.file } : {}),
    ...(typeof det.line === 'number' ? { line: det.line } : m ? { line: Number(m[2]) } : {}),
    ...(m ? { field: m[3]! } : {}),
  };
}
