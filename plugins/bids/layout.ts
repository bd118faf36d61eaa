/**
 * Finding a BIDS dataset's scans: `sub-<label>[/ses-<label>]/anat/sub-<label>[_ses-<label>][_<key>-<value>…]
 * _<suffix>.nii[.gz]`, one image per configured suffix, and the lesion (and foreground) masks of a derivatives
 * pipeline, `derivatives/<pipeline>/sub-<label>[/ses-<label>]/anat/…_desc-<label>_<suffix>.nii[.gz]`. Every
 * problem is an error naming the folder, the subject and what to do.
 * @module
 */
import { join } from "node:path";
import { statRegularFile } from "../../core/files.ts";
import type { BidsConfig } from "./config.ts";

/** One scan: a subject's session (or the subject, without sessions) and its files. */
export interface Scan {
  /** Case id: `sub-<label>` or `sub-<label>_ses-<label>`. */
  readonly id: string;
  /** `sub-<label>`, the patient. */
  readonly subject: string;
  /** The session label (without "ses-"), where the subject has sessions. */
  readonly session?: string;
  /** One image per configured suffix, in order. */
  readonly images: readonly string[];
  /** The lesion mask, where the pipeline has one (absent: a healthy scan). */
  readonly mask?: string;
  /** The foreground mask (with `foregroundDesc`). */
  readonly foreground?: string;
}

/** A BIDS file name's parts. */
interface BidsName {
  readonly subject: string;
  readonly session?: string;
  readonly entities: Readonly<Record<string, string>>;
  readonly suffix: string;
}

const NAME = /^sub-([A-Za-z0-9]+)((?:_[A-Za-z0-9]+-[A-Za-z0-9]+)*)_([A-Za-z0-9]+)\.nii(\.gz)?$/;

/** Parses `sub-01_ses-2_acq-x_T1w.nii.gz`; undefined for anything else. */
export function parseBidsName(name: string): BidsName | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const entities: Record<string, string> = {};
  for (const pair of m[2]!.split("_").slice(1)) {
    const [k, v] = pair.split("-") as [string, string];
    entities[k] = v;
  }
  const { ses, ...rest } = entities;
  return { subject: m[1]!, ...(ses ? { session: ses } : {}), entities: rest, suffix: m[3]! };
}

/** Names of the entries of `dir` that are folders (or files) matching `re`, sorted; [] for a missing folder. */
async function list(dir: string, folders: boolean, re: RegExp): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const ok = folders ? e.isDirectory : e.isFile || e.isSymlink;
      if (ok && re.test(e.name)) out.push(e.name);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw new Error(`${dir}: cannot be read (${(e as Error).message})`);
  }
  return out.sort();
}

/** Throws unless `root` has a readable `dataset_description.json`, the mark of a BIDS dataset. */
export async function checkBidsRoot(root: string): Promise<string> {
  const file = join(root, "dataset_description.json");
  try {
    await statRegularFile(file, "every BIDS dataset has one");
  } catch (e) {
    throw new Error(
      `${root}: not a BIDS dataset (${(e as Error).message}); point --data at the folder that holds ` +
        `dataset_description.json and the sub-<label> folders`,
    );
  }
  try {
    JSON.parse(await Deno.readTextFile(file));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return file;
}

/** The subject folders under `root` (`sub-<label>`), sorted; throws when there is none. */
export async function listSubjects(root: string): Promise<string[]> {
  const subjects = await list(root, true, /^sub-[A-Za-z0-9]+$/);
  if (subjects.length === 0) {
    throw new Error(`${root}: no sub-<label> folders (a BIDS dataset holds one per subject)`);
  }
  return subjects;
}

/** The session labels a subject's scans come from: its `ses-*` folders (filtered by config), or [undefined]. */
async function sessionsOf(
  root: string,
  subject: string,
  config: BidsConfig,
): Promise<(string | undefined)[]> {
  const folders = (await list(join(root, subject), true, /^ses-[A-Za-z0-9]+$/)).map((f) => f.slice(4));
  if (folders.length === 0) {
    if (config.sessions) {
      throw new Error(
        `${join(root, subject)}: no ses-<label> folders, but the config asks for sessions ` +
          `${config.sessions.join(", ")} (drop 'sessions', or leave the subject out with a split file)`,
      );
    }
    return [undefined];
  }
  if (!config.sessions) return folders;
  const kept = folders.filter((s) => config.sessions!.includes(s));
  if (kept.length === 0) {
    throw new Error(
      `${join(root, subject)}: none of the sessions ${config.sessions.join(", ")} (it has ` +
        `${folders.join(", ")}); leave the subject out with a split file (split 'none'), or widen 'sessions'`,
    );
  }
  return kept;
}

/** The path of `sub/[ses/]anat` under `base`. */
const anatDir = (base: string, subject: string, session?: string) =>
  session ? join(base, subject, `ses-${session}`, "anat") : join(base, subject, "anat");

/** The file of `dir` whose name parses with this subject, session and suffix and carries `entities`. */
async function findOne(
  dir: string,
  subject: string,
  session: string | undefined,
  suffix: string,
  entities: Readonly<Record<string, string>>,
  what: string,
): Promise<string | undefined> {
  const names = await list(dir, false, /\.nii(\.gz)?$/);
  const hits = names.filter((n) => {
    const p = parseBidsName(n);
    return p !== undefined && `sub-${p.subject}` === subject && p.session === session &&
      p.suffix === suffix &&
      Object.entries(entities).every(([k, v]) => p.entities[k] === v);
  });
  if (hits.length > 1) {
    throw new Error(
      `${dir}: ${hits.length} files are the ${what} of ${scanName(subject, session)} (${hits.join(", ")}); ` +
        `pick one with the config's 'entities' (e.g. { "acq": "…" } or { "run": "1" })`,
    );
  }
  return hits[0] && join(dir, hits[0]);
}

const scanName = (subject: string, session?: string) => (session ? `${subject} session ${session}` : subject);

/** The derivatives pipelines a mask may come from. */
async function pipelines(root: string, config: BidsConfig): Promise<string[]> {
  const base = join(root, "derivatives");
  if (config.maskPipeline !== undefined) {
    const dir = join(base, config.maskPipeline);
    const isDir = await Deno.stat(dir).then((s) => s.isDirectory, () => false);
    if (!isDir) {
      throw new Error(
        `${dir}: no such derivatives pipeline (maskPipeline '${config.maskPipeline}'; pipelines there: ` +
          `${(await list(base, true, /./)).join(", ") || "none"})`,
      );
    }
    return [dir];
  }
  return (await list(base, true, /./)).map((p) => join(base, p));
}

/** A scan's mask with `desc` in the pipelines (at most one pipeline may have it). */
async function findMask(
  dirs: readonly string[],
  subject: string,
  session: string | undefined,
  desc: string,
  config: BidsConfig,
): Promise<string | undefined> {
  const found: string[] = [];
  for (const p of dirs) {
    const f = await findOne(
      anatDir(p, subject, session),
      subject,
      session,
      config.maskSuffix,
      { desc },
      `desc-${desc} mask`,
    );
    if (f) found.push(f);
  }
  if (found.length > 1) {
    throw new Error(
      `${scanName(subject, session)} has a desc-${desc} mask in ${found.length} pipelines (${
        found.join(", ")
      }); ` +
        `choose one with the config's 'maskPipeline'`,
    );
  }
  return found[0];
}

/**
 * Every scan of `subjects` (folder names) in the dataset at `root` that `include` keeps (a split table's
 * 'none' leaves a scan out before its files are looked for), with its images and masks.
 */
export async function findScans(
  root: string,
  subjects: readonly string[],
  config: BidsConfig,
  include: (subject: string, session?: string) => boolean = () => true,
): Promise<Scan[]> {
  const dirs = await pipelines(root, config);
  const scans: Scan[] = [];
  for (const subject of subjects) {
    for (const session of await sessionsOf(root, subject, config)) {
      if (!include(subject, session)) continue;
      const dir = anatDir(root, subject, session);
      const images: string[] = [];
      for (const suffix of config.suffixes) {
        const f = await findOne(dir, subject, session, suffix, config.entities, `${suffix} image`);
        if (!f) {
          const entities = Object.entries(config.entities).map(([k, v]) => `${k}-${v}`).join(", ");
          throw new Error(
            `${scanName(subject, session)}: no ${suffix} image in ${dir}` +
              `${entities ? ` with ${entities}` : ""} (every scan needs each of ${
                config.suffixes.join(", ")
              }; ` +
              `leave the subject out with a split file (split 'none'), or drop '${suffix}' from 'suffixes')`,
          );
        }
        images.push(f);
      }
      const mask = await findMask(dirs, subject, session, config.maskDesc, config);
      const foreground = config.foregroundDesc !== undefined
        ? await findMask(dirs, subject, session, config.foregroundDesc, config)
        : undefined;
      if (config.foregroundDesc !== undefined && !foreground) {
        throw new Error(
          `${
            scanName(subject, session)
          }: no desc-${config.foregroundDesc}_${config.maskSuffix} foreground mask ` +
            `under ${
              dirs.length ? dirs.map((d) => anatDir(d, subject, session)).join(" or ") : `${root}/derivatives`
            } ` +
            `(foregroundDesc asks for one per scan)`,
        );
      }
      scans.push({
        id: session ? `${subject}_ses-${session}` : subject,
        subject,
        ...(session ? { session } : {}),
        images,
        ...(mask ? { mask } : {}),
        ...(foreground ? { foreground } : {}),
      });
    }
  }
  return scans;
}
