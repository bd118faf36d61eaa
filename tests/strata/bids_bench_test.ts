/**
 * End to end: a BIDS tree generated here (two sites, three age groups, both sexes, lesions of three sizes,
 * healthy subjects) runs through `deno task bench` with strata; the Markdown, CSV and HTML carry the
 * per-stratum tables, the HTML its charts (checked in headless Chromium after the page's script ran, where
 * Chromium is installed, else on the page's text), and lesion-wise detection counts every lesion in its size.
 */
import assert from "node:assert/strict";
import { lesionVoxels, type TreeScan, writeBidsTree } from "../../plugins/bids/test_tree.ts";

const root = new URL("../../", import.meta.url).pathname;

/** Lesion radii in 3 mm voxels: 0.9 ml, 6.9 ml and 25 ml spheres. */
const RADII = { small: 2, medium: 4, large: 6 } as const;

function subjects(): TreeScan[] {
  const scans: TreeScan[] = [];
  for (let i = 0; i < 8; i++) {
    scans.push({
      subject: `h${i}`,
      participant: { age: 25 + 8 * i, sex: i % 2 ? "M" : "F", site: i % 3 ? "A" : "B" },
    });
  }
  const sizes = Object.values(RADII);
  for (let i = 0; i < 9; i++) {
    const r = sizes[i % 3]!;
    scans.push({
      subject: `p${i}`,
      lesions: [{ centre: [13 + (i % 4), 15 + (i % 3), 10], radius: r }],
      participant: { age: 30 + 6 * i, sex: i % 2 ? "F" : "M", site: i < 5 ? "A" : "B" },
    });
  }
  return scans;
}

function findChromium(): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/chromium`).isFile) return `${dir}/chromium`;
    } catch { /* not in this directory */ }
  }
  return undefined;
}

Deno.test("a generated BIDS tree runs through deno task bench with strata; md, csv and html carry them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bids_bench_" });
  try {
    await Deno.mkdir(`${dir}/bids`);
    await writeBidsTree(`${dir}/bids`, subjects(), { shape: [32, 32, 20], spacing: [3, 3, 3] });
    const strata = ["site", "sex", "age:<40,40-65,>65", "lesionVolume:<1ml,1-10ml,>10ml"];
    await Deno.writeTextFile(
      `${dir}/grid.json`,
      JSON.stringify({
        name: "bids-strata",
        datasets: [{
          id: "bids",
          config: { suffixes: ["FLAIR", "T1w"], size: 32, trainFraction: 0.6, validationFraction: 0.15 },
          dataRoot: `${dir}/bids`,
        }],
        methods: [
          { id: "thresholding", label: "FLAIR", config: { channel: 0 } },
          { id: "thresholding", label: "T1w", config: { channel: 1 } },
        ],
        seeds: [0],
        backend: "cpu",
        strata,
      }),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/main.ts", "bench", "--grid", `${dir}/grid.json`, "--out", dir],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const folder = `${dir}/bids-strata`;

    const md = await Deno.readTextFile(`${folder}/leaderboard.md`);
    for (const s of strata) assert.match(md, new RegExp(`#### Stratum: ${s.replace(/[<>]/g, ".")}\\n`));
    // 9 lesion and 2 healthy test subjects: site A has p0–p4 and h1/h2/h4/h5/h7's test ones.
    // The rows README.md quotes (thresholding on cpu is deterministic).
    assert.ok(
      md.includes(
        "| FLAIR | - | A | 5 / 1 | 0.918 [0.840, 0.991] | 0.749 [0.515, 0.813] | 0.84% [0.84%, 0.84%] |",
      ),
    );
    assert.ok(md.includes("| T1w | - | 1-10ml | 3 (3) | 0.333 [0.000, 1.000] |"));
    assert.match(md, /\| T1w \| - \| B \| 4 \/ \d \| /);
    assert.match(md, /\| FLAIR \| - \| >65 \| \d+ \/ \d+ \|/);
    // Each size bin holds three subjects' lesions.
    for (const bin of ["<1ml", "1-10ml", ">10ml"]) {
      assert.match(md, new RegExp(`\\| FLAIR \\| - \\| ${bin} \\| 3 \\(3\\) \\|`));
    }
    assert.ok(
      lesionVoxels(RADII.small) * 0.027 < 1 && lesionVoxels(RADII.large) * 0.027 > 10,
      "sizes span the bins",
    );

    const csv = (await Deno.readTextFile(`${folder}/leaderboard_strata.csv`)).trim().split("\n");
    const groups = 2 + 2 + 3 + 4; // sites, sexes, ages, lesion volume bins and "no lesion"
    assert.equal(csv.length, 1 + 2 * groups, csv.join("\n"));
    const lesions = (await Deno.readTextFile(`${folder}/leaderboard_lesions.csv`)).trim().split("\n");
    assert.equal(lesions.length, 1 + 2 * 3);

    const html = await Deno.readTextFile(`${folder}/leaderboard.html`);
    const chromium = findChromium();
    let page = html;
    if (chromium) {
      const dom = await new Deno.Command(chromium, {
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--virtual-time-budget=5000",
          "--dump-dom",
          `file://${folder}/leaderboard.html`,
        ],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(60_000),
      }).output();
      page = new TextDecoder().decode(dom.stdout);
      assert.ok(dom.success && page.includes("</html>"), new TextDecoder().decode(dom.stderr));
      assert.match(
        page,
        /<table class="sortable leaderboard" data-sorted=|<body data-images-loaded=/,
        "the page's script ran",
      );
    } else {
      console.log("  chromium not on PATH: the page is checked as text, not rendered");
    }
    for (const s of strata) {
      assert.ok(
        page.includes(`<h4>Stratum: <code>${s.replaceAll("<", "&lt;").replaceAll(">", "&gt;")}</code></h4>`),
        s,
      );
    }
    const charts = page.match(/<svg class="pr strata"[\s\S]*?<\/svg>/g) ?? [];
    assert.ok(charts.length >= 4 * 2 + 1, `${charts.length} stratum charts`);
    assert.ok(charts.every((c) => c.includes("<circle")), "every chart has dots");
    assert.match(page, /<table class="strata">/);
    assert.match(page, /<h3>Lesion-wise detection by lesion size<\/h3>/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
