// What one running emulator remembers: options, fixtures, tasks' clocks, the files they expose.
import { ClipMaker, clipSpec } from './clips';
import { fileEntryPath, publishedUrl } from './files';
import { defaultFixturesDir, loadFixtures, type FixtureFile, type Fixtures } from './fixtures';
import { finishedBy, makeTiming, parseMarkers, type Markers, type TaskTiming } from './tasks';
import type { EmulatorOptions } from './types';

export interface ResolvedOptions {
  durationMs: number;
  queuedFraction: number;
  gatewayShape: 'flat' | 'envelope';
  gatewayCreateId: 'task_id' | 'id' | 'both';
  hidreamLimits: boolean;
  now: () => number;
  fixturesDir: string;
  clips: 'generated' | 'fixtures';
  log: (line: string) => void;
}

export function resolveOptions(o: EmulatorOptions, base?: ResolvedOptions): ResolvedOptions {
  const pick = <K extends keyof ResolvedOptions>(key: K, fallback: ResolvedOptions[K]): ResolvedOptions[K] =>
    (o[key as keyof EmulatorOptions] as ResolvedOptions[K] | undefined) ?? base?.[key] ?? fallback;
  return {
    durationMs: pick('durationMs', 6000),
    queuedFraction: pick('queuedFraction', 0.2),
    gatewayShape: pick('gatewayShape', 'flat'),
    gatewayCreateId: pick('gatewayCreateId', 'both'),
    hidreamLimits: pick('hidreamLimits', false),
    now: pick('now', Date.now),
    fixturesDir: o.fixturesDir ?? base?.fixturesDir ?? defaultFixturesDir(),
    clips: pick('clips', 'fixtures'),
    log: pick('log', () => undefined),
  };
}

/** A file under /files/: answered only once its task succeeded. */
export interface FileEntry {
  fixture: FixtureFile;
  timing: TaskTiming;
  /** The generated video itself (not a poster): result markers apply to it. */
  isResult: boolean;
  /** A poster of this result video: with generated clips, a still of the clip is served in its place. */
  stillOf?: FixtureFile;
  /** The provider deletes it this long after its task finished (Replicate: one hour); kept for ever when absent. */
  keptMs?: number;
}

export class EmulatorState {
  options: ResolvedOptions;
  fixtures: Fixtures;
  baseUrl = '';
  /** Path under /files/ -> entry. */
  readonly files = new Map<string, FileEntry>();
  /** Remote task id -> its clock. */
  readonly timings = new Map<string, TaskTiming>();
  /** The bearer key of the request being handled, for texts that echo it. */
  private requestKey: string | undefined;
  private clipMaker: ClipMaker | undefined;

  constructor(options: EmulatorOptions) {
    this.options = resolveOptions(options);
    this.fixtures = loadFixtures(this.options.fixturesDir);
  }

  setOptions(partial: Partial<EmulatorOptions>): void {
    const previousDir = this.options.fixturesDir;
    this.options = resolveOptions(partial, this.options);
    if (this.options.fixturesDir !== previousDir) this.fixtures = loadFixtures(this.options.fixturesDir);
  }

  now(): number {
    return this.options.now();
  }

  /** Starts a task's clock now, with the current duration settings and the prompt's markers. */
  startTask(remoteId: string, ...markerTexts: Array<string | undefined>): TaskTiming {
    const markers: Markers = parseMarkers(...markerTexts);
    const timing: TaskTiming = {
      ...makeTiming(this.now(), this.options.durationMs, this.options.queuedFraction, markers),
      authKey: this.requestKey,
      prompt: markerTexts.filter((t): t is string => typeof t === 'string').join('\n'),
      take: remoteId,
    };
    this.timings.set(remoteId, timing);
    return timing;
  }

  /** Runs a route handler with the request's key at hand (handlers are synchronous). */
  withRequestKey<T>(key: string | undefined, handle: () => T): T {
    this.requestKey = key;
    try {
      return handle();
    } finally {
      this.requestKey = undefined;
    }
  }

  /** The sample video for the n-th sub-task (alternating sample.mp4 / sample-2.mp4). */
  videoFor(index: number) {
    return this.fixtures.videos[index % this.fixtures.videos.length];
  }

  /**
   * Before a result under /files/ is served: with generated clips, renders (or takes from the cache) the
   * clip of its task's prompt and puts it in place of the fixture. Nothing happens for other files, a
   * task not yet done, or when ffmpeg is missing (the fixture stays).
   */
  async prepareFile(relative: string): Promise<void> {
    if (this.options.clips !== 'generated') return;
    const entry = this.files.get(fileEntryPath(relative));
    if (entry?.stillOf) return this.prepareStill(entry, entry.stillOf);
    const index = entry ? this.fixtures.videos.indexOf(entry.fixture as (typeof this.fixtures.videos)[number]) : -1;
    if (!entry || !entry.isResult || index < 0 || finishedBy(entry.timing, this.now()) === undefined) return;
    this.clipMaker ??= new ClipMaker(undefined, this.options.log);
    const clip = await this.clipMaker.clip(clipSpec(entry.timing.prompt ?? '', index, entry.timing.take));
    if (!clip) return;
    for (const other of this.files.values()) {
      if (other.timing === entry.timing && other.fixture === entry.fixture) other.fixture = clip;
    }
  }

  /** A poster entry of a finished task: the still of its video's clip replaces the fixture (once). */
  private async prepareStill(entry: FileEntry, video: FixtureFile): Promise<void> {
    const index = this.fixtures.videos.indexOf(video as (typeof this.fixtures.videos)[number]);
    if (index < 0 || finishedBy(entry.timing, this.now()) === undefined) return;
    this.clipMaker ??= new ClipMaker(undefined, this.options.log);
    const still = await this.clipMaker.still(clipSpec(entry.timing.prompt ?? '', index, entry.timing.take));
    if (!still) return;
    entry.fixture = still;
    entry.stillOf = undefined;
  }

  fileUrl(relativePath: string): string {
    const entry = this.files.get(relativePath);
    return publishedUrl(this.baseUrl, relativePath, entry?.isResult ? entry.timing.markers : undefined);
  }
}
