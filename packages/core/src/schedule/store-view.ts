/**
 * The file as a FileScheduleStore last saw it: kept while the file's stamp is unchanged, with
 * the journal's new lines replayed over it, and written whole with the journal folded in. Apart
 * from file-store.ts, whose API and group commit only ask it for the file as it is now and hand
 * it back to be written: what is parsed, appended or folded when is decided here.
 */
import { emptyStoreFile, readStoreFile, stampOf, writeStoreFile, type StoreFile } from './store-file.js';
import {
  JOURNAL_START,
  appendJournal,
  journalPath,
  readJournal,
  removeJournal,
  type FireLine,
  type JournalPosition,
} from './store-journal.js';

/** How often the file was parsed and written: for diagnostics and for tests of these costs. */
export interface FileStoreCounters {
  parses: number;
  writes: number;
  /** Journal appends: groups of fires recorded without writing the file. */
  appends: number;
  /** Folds of the journal into the file that failed (their fires stayed recorded in the journal). */
  foldFailures: number;
}

/** The file as this store last saw it: its stamp, and how far into the journal it has read. */
interface View {
  file: StoreFile;
  stamp: string | null;
  bytes: number;
  journal: JournalPosition;
}

/** A journal is folded into the file once it is larger than the file, and at least this large. */
const MIN_FOLD_BYTES = 1024 * 1024;

export class StoreView {
  readonly counters: FileStoreCounters = { parses: 0, writes: 0, appends: 0, foldFailures: 0 };
  readonly #journal: string;
  #cache: View | null = null;

  constructor(private readonly path: string) {
    this.#journal = journalPath(path);
  }

  /** Bytes of journal this store has read or written since it last wrote the file: 0, nothing to fold. */
  get journalOffset(): number {
    return this.#cache?.journal.offset ?? 0;
  }

  /** The kept view may hold changes that were never written: the next load reads the file afresh. */
  forget(): void {
    this.#cache = null;
  }

  /**
   * The journal has outgrown the file: written in, when it can be. The fires are durable in the
   * journal already, so a failed fold (a full disk, a corrupt line) must not fail them: their
   * beat would send those slots again. The next write tries again; `foldFailures` counts.
   */
  async fold(file: StoreFile): Promise<void> {
    try {
      await this.write(file);
    } catch {
      this.counters.foldFailures += 1;
    }
  }

  /** Journals `fires`; true when the journal has outgrown the file and should be folded in now. */
  async append(fires: readonly FireLine[]): Promise<boolean> {
    const view = this.#cache;
    if (!view) return true;
    view.journal = await appendJournal(this.#journal, view.journal, fires);
    this.counters.appends += 1;
    return view.journal.offset > Math.max(MIN_FOLD_BYTES, view.bytes);
  }

  /** The whole file with the journal folded in, then the journal removed (a replay of it would change nothing). */
  async write(file: StoreFile): Promise<void> {
    this.#cache = null;
    const stamp = await writeStoreFile(this.path, file);
    this.counters.writes += 1;
    await removeJournal(this.#journal);
    this.#cache = { file, stamp: stamp.id, bytes: stamp.bytes, journal: JOURNAL_START };
  }

  /** The file as it is now: the kept view while its stamp is unchanged, else parsed afresh; then the journal's new lines. */
  async load(): Promise<StoreFile> {
    const stamp = await stampOf(this.path);
    const cached = this.#cache;
    const view = cached && cached.stamp === (stamp?.id ?? null) ? cached : await this.#read();
    const tail = await readJournal(this.#journal, view.journal);
    for (const line of tail.lines) view.file.schedules.replay(line);
    view.journal = tail.position;
    this.#cache = view;
    return view.file;
  }

  async #read(): Promise<View> {
    const read = await readStoreFile(this.path);
    if (!read) return { file: emptyStoreFile(), stamp: null, bytes: 0, journal: JOURNAL_START };
    this.counters.parses += 1;
    return { file: read.file, stamp: read.stamp.id, bytes: read.stamp.bytes, journal: JOURNAL_START };
  }
}
