import assert from "node:assert/strict";
import "../../plugins/metrics/mod.ts";
import { leaderboardHtml } from "./html.ts";
import { LABELS, syntheticRows, UNFINISHED } from "./test_rows.ts";

const page = (rows = syntheticRows()) =>
  leaderboardHtml({
    title: "Leaderboard: t",
    grid: "t",
    description: "a <grid> & more",
    rows,
    metricIds: ["auprc", "dice-max"],
    examples: { "best-s0": "data:image/png;base64,AAAA" },
    generated: "2026-01-01T00:00:00Z",
  });

/** The `<tbody>` rows of the n-th table of class `cls`, as arrays of [data-v, inner HTML] per cell. */
function bodyRows(html: string, cls: string, n = 0): [string, string][][] {
  const table = html.split(`<table class="sortable ${cls}">`)[n + 1]!.split("</table>")[0]!;
  const body = table.split("<tbody>")[1]!.split("</tbody>")[0]!;
  return body.split("</tr>").filter((r) => r.includes("<td")).map((r) =>
    [...r.matchAll(/<td[^>]*data-v="([^"]*)">(.*?)<\/td>/g)].map((m) => [m[1]!, m[2]!] as [string, string])
  );
}

Deno.test("html: sortable headers carry type and first direction; cells carry sort keys", () => {
  const html = page();
  const head = html.split(`<table class="sortable leaderboard">`)[1]!.split("</thead>")[0]!;
  const ths = [...head.matchAll(/<th[^>]*data-type="(\w+)" data-first="(\w+)"[^>]*>([^<]*)<\/th>/g)]
    .map((m) => [m[3], m[1], m[2]]);
  assert.deepEqual(ths, [
    ["#", "num", "asc"],
    ["Method", "text", "asc"],
    ["Noise", "text", "asc"],
    ["AUPRC", "num", "desc"],
    ["Dice-max", "num", "desc"],
    ["Seeds", "num", "desc"],
    ["Train s", "num", "asc"],
    ["Score samples/s", "num", "desc"],
    ["Peak MiB", "num", "asc"],
  ]);
  assert.match(head, /<th class="num" data-type="num" data-first="asc" aria-sort="ascending">#<\/th>/);
  const rows = bodyRows(html, "leaderboard");
  assert.equal(rows.length, 3);
  // Ranked by AUPRC mean: 0.65, 0.45, 0.15; the sort key is the mean, the text mean ± sd.
  rows.forEach((r, i) => assert.ok(Math.abs(Number(r[3]![0]) - [0.65, 0.45, 0.15][i]!) < 1e-12));
  assert.match(rows[0]![3]![1], /^<strong>0\.650<span class="sd"> ± 0\.071<\/span><\/strong>$/);
  assert.doesNotMatch(rows[1]![3]![1], /strong/);
  // Best throughput (500 samples/s, the last row) and lowest peak memory are bold too.
  assert.equal(rows[2]![7]![1], "<strong>500</strong>");
  assert.equal(rows[0]![5]![1], "0,1");
});

Deno.test("html: labels and description are escaped everywhere", () => {
  const html = page();
  assert.ok(!html.includes("<script>alert(1)</script>"), "raw label injected");
  assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
  assert.ok(html.includes(`coarse &lt;8&gt; &amp; &quot;big&quot;`));
  assert.ok(!html.includes(LABELS.best.noise));
  assert.ok(html.includes("a &lt;grid&gt; &amp; more"));
  assert.equal(html.match(/<script>/g)!.length, 1); // only the page's own script
});

Deno.test("html: PR curves for rows that have them, a note for those that do not", () => {
  const html = page();
  assert.equal(html.match(/<svg class="pr"/g)!.length, 1);
  assert.equal(html.match(/<polyline/g)!.length, 2); // best and middle; the old row has none
  assert.match(html, /No PR curve recorded[^<]*: &lt;script&gt;alert\(1\)&lt;\/script&gt;\./);
  assert.match(html, /DAE · Gaussian σ=0\.2 — AUPRC 0\.450 ± 0\.071 \(2 seeds\)/);
  assert.equal(
    html.match(/<polygon fill="#[0-9a-f]{6}" fill-opacity="0\.15"/g)!.length,
    2,
    "a band per row of 2 seeds",
  );
  // Only old rows: no chart at all, and no paired statistics.
  const old = page(syntheticRows().map((r) => ({ ...r, prCurve: undefined, perCaseAp: undefined })));
  assert.ok(!old.includes("<svg"));
  assert.match(old, /Paired statistics: not available/);
});

Deno.test("html: paired table, examples and metadata", () => {
  const html = page();
  const paired = bodyRows(html, "paired");
  assert.equal(paired.length, 2);
  assert.deepEqual(paired[0]!.slice(0, 3).map((c) => c[1]), ["DAE", "Gaussian σ=0.2", "5"]);
  assert.equal(paired[0]![3]![1], "+0.300");
  assert.equal(paired[0]![5]![1], "0.063");
  assert.deepEqual(paired[1]!.slice(2).map((c) => c[1]), ["0", "n/a", "n/a", "n/a"]);
  assert.match(html, /Wilcoxon signed-rank/);
  // The best row's example is embedded; the others say they have none.
  assert.equal(html.match(/<img src="data:image\/png;base64,AAAA"/g)!.length, 1);
  assert.equal(html.match(/No examples\.png for this cell/g)!.length, 2);
  assert.match(html, /<dt>Code version<\/dt><dd><code>c0de<\/code><\/dd>/);
  assert.match(html, /deno 2\.9\.6; tfjs 4\.22\.0/);
  assert.match(html, /phantom2d: identity <code>abcdef0123456789abcdef<\/code>/);
  assert.match(html, /6 of 6 cells finished/);
});

Deno.test("html: failed cells with their reasons, stale counts, provenance with the rerun command", () => {
  const rows = syntheticRows().map((r) => ({
    ...r,
    dataIdentity: "d47a",
    rerun: `deno task train --from results/t/runs/${r.cellId}/run.json`,
    config: { method: r.method, seed: r.seed },
  }));
  const html = leaderboardHtml({
    title: "t",
    grid: "t",
    description: "",
    rows,
    accounting: {
      unfinished: [
        {
          ...UNFINISHED,
          cellId: "u1",
          seed: 2,
          state: "failed",
          error: "dataset 'x' has <no> labelled split",
          record: "cells/u1.failed.json",
        },
        { ...UNFINISHED, cellId: "u2", seed: 3, state: "pending" },
      ],
      stale: [{ ...rows[0]!, cellId: "old1" }],
    },
    metricIds: ["auprc"],
    generated: "2026-01-01T00:00:00Z",
  });
  assert.match(
    html,
    /<p class="counts warn">6 of 8 cells finished, 1 failed, 1 not run yet; 1 stale result left out/,
  );
  assert.match(html, /<h3>Failed cells<\/h3>/);
  assert.match(
    html,
    /seed 2: <span class="error">dataset &#39;x&#39; has &lt;no&gt; labelled split<\/span> <code>cells\/u1\.failed\.json<\/code>/,
  );
  // The row whose every cell failed or was not run is still a row of the table, ranked last.
  const table = bodyRows(html, "leaderboard");
  assert.equal(table.length, 4);
  assert.equal(table[3]![1]![1], "U-Net");
  assert.equal(table[3]![4]![1], "none (2 failed) (3 not run)");
  assert.match(
    html,
    /<li>seed 0: <code>deno task train --from results\/t\/runs\/best-s0\/run\.json<\/code><\/li>/,
  );
  assert.ok(!html.includes('svg class="pr loss"'), "no loss chart without training logs");
  assert.match(html, /<pre class="config">\{\n {2}&quot;method&quot;: &quot;dae&quot;/);
});

Deno.test("html: an empty result set still makes a page", () => {
  const html = page([]);
  assert.match(html, /No finished cells yet/);
  assert.ok(html.trimEnd().endsWith("</html>"));
});

Deno.test("html: each row shows its seeds' loss curves and says whether validation loss flattened", () => {
  const log = (flat: boolean) =>
    Array.from({ length: 100 }, (_, i) => ({
      step: i + 1,
      loss: 1 / (i + 1),
      seconds: i,
      ...((i + 1) % 10 === 0 ? { validationLoss: flat ? 0.2 : 1 / (i + 1) } : {}),
    }));
  const html = leaderboardHtml({
    title: "t",
    grid: "t",
    description: "",
    rows: syntheticRows(),
    metricIds: ["auprc"],
    trainLogs: { "best-s0": log(true), "best-s1": log(false) },
    generated: "2026-01-01T00:00:00Z",
  });
  assert.equal(html.match(/<svg class="pr loss"/g)!.length, 1);
  assert.match(html, /within 5% of its final value: seed 0: flat; seed 1: still moving\./);
});
