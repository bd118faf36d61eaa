/**
 * Opens a leaderboard page in headless Chromium and checks, on the DOM after the page's script has run,
 * that the tables render, that sorting works and that every image decodes. Skipped (with the reason
 * printed) only where no `chromium` is installed.
 */
import assert from "node:assert/strict";
import "../../plugins/metrics/mod.ts";
import { encodePng } from "../../core/png.ts";
import { leaderboardHtml } from "./html.ts";
import { pngDataUri } from "./noise_samples.ts";
import { syntheticRows } from "./test_rows.ts";

function findChromium(): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/chromium`).isFile) return `${dir}/chromium`;
    } catch { /* not in this directory */ }
  }
  return undefined;
}

const chromium = findChromium();
if (!chromium) console.log("browser_test: skipped, no `chromium` on PATH (apt-get install chromium)");

/** The DOM after load, as serialised by `chromium --dump-dom`. */
async function dumpDom(url: string): Promise<string> {
  const out = await new Deno.Command(chromium!, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--virtual-time-budget=5000",
      "--dump-dom",
      url,
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const dom = new TextDecoder().decode(out.stdout);
  assert.ok(
    out.success && dom.includes("</html>"),
    `chromium failed: ${new TextDecoder().decode(out.stderr)}`,
  );
  return dom;
}

const cellText = (tr: string, col: number) =>
  [...tr.matchAll(/<td[^>]*>(.*?)<\/td>/g)][col]![1]!.replace(/<[^>]+>/g, "");

Deno.test({
  name: "browser: the page renders, sorts from its address, and every image decodes",
  ignore: !chromium,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "leaderboard_html_" });
    try {
      const png = pngDataUri(encodePng(new Uint8Array(8 * 6 * 3).fill(200), 8, 6, 3));
      const rows = syntheticRows();
      const html = leaderboardHtml({
        title: "Leaderboard: browser",
        grid: "browser",
        description: "",
        rows,
        metricIds: ["auprc", "dice-max"],
        examples: Object.fromEntries(rows.map((r) => [r.cellId, png])),
        noiseSamples: [{
          label: "coarse",
          id: "coarse",
          config: {},
          panels: [{ caption: "noise", src: png }],
        }],
        generated: "2026-01-01T00:00:00Z",
      });
      await Deno.writeTextFile(`${dir}/leaderboard.html`, html);
      const url = new URL(`file://${dir}/leaderboard.html`);

      const plain = await dumpDom(url.href);
      // Examples of 3 rows (closed <details> included) and one noise panel: 4 images, all decoded.
      assert.match(plain, /<body data-images-loaded="4\/4">/);
      assert.equal(plain.match(/<img [^>]*data-loaded="yes"/g)?.length, 4);
      const names = (dom: string) => {
        const body = dom.split('<table class="sortable leaderboard"')[1]!.split("<tbody>")[1]!.split(
          "</tbody>",
        )[0]!;
        return body.split("</tr>").filter((r) => r.includes("<td")).map((r) => cellText(r, 2));
      };
      assert.deepEqual(names(plain), ['coarse &lt;8&gt; &amp; "big"', "Gaussian σ=0.2", "-"]); // by AUPRC
      assert.match(plain, /<polyline /);

      // #sort=0:7:desc: table 0 by "Score samples/s", largest first: the old row (500/s) moves up.
      url.hash = "sort=0:7:desc";
      const sorted = await dumpDom(url.href);
      assert.match(sorted, /<table class="sortable leaderboard" data-sorted="7:desc">/);
      assert.match(sorted, /aria-sort="descending">Score samples\/s<\/th>/);
      assert.equal(names(sorted)[0], "-");
      // By noise label, descending text order (the same collation as Deno's localeCompare).
      url.hash = "sort=0:2:desc";
      const byNoise = await dumpDom(url.href);
      const labels = rows.map((r) => r.noiseLabel).filter((l, i, all) => all.indexOf(l) === i);
      const expected = labels.sort((a, b) => b.localeCompare(a)).map((l) =>
        l.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
      );
      assert.deepEqual(names(byNoise), expected);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
