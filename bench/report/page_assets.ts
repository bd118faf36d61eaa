/**
 * The style sheet and script inlined into `leaderboard.html` (the page needs no network).
 * @module
 */

/** The page's CSS: system fonts, compact tables, right-aligned tabular numbers. */
export const PAGE_CSS = `
:root { color-scheme: light; --ink: #1d232b; --muted: #5f6b7a; --line: #e3e7ec; --head: #f5f7f9;
  --accent: #2f6db5; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 36px 0 2px; padding-top: 12px; border-top: 1px solid var(--line); }
h3 { font-size: 14px; margin: 22px 0 8px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .04em; }
p { margin: 6px 0; }
.lead { color: var(--muted); margin-bottom: 14px; }
.hash { color: var(--muted); font-size: 13px; }
.counts { font-size: 13px; }
.counts.warn { color: #9a4b00; font-weight: 500; }
ul.failures { font-size: 13px; padding-left: 20px; }
.error { color: #a12a2a; }
pre.config { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f6f8fa;
  padding: 8px 10px; border-radius: 4px; overflow-x: auto; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f1f3f5;
  padding: 1px 4px; border-radius: 3px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 12px 0 0;
  padding: 12px 16px; background: var(--head); border: 1px solid var(--line); border-radius: 6px;
  font-size: 13px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { padding: 4px 9px; border-bottom: 1px solid var(--line); white-space: nowrap; }
thead th { background: var(--head); font-weight: 600; text-align: left; border-bottom: 2px solid #cfd6de;
  position: sticky; top: 0; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable thead th { cursor: pointer; user-select: none; }
table.sortable thead th:hover { color: var(--accent); }
table.sortable thead th::after { content: "↕"; color: #b6bfca; font-size: 11px; margin-left: 4px; }
table.sortable thead th[aria-sort="ascending"]::after { content: "▲"; color: var(--accent); }
table.sortable thead th[aria-sort="descending"]::after { content: "▼"; color: var(--accent); }
tbody tr:hover { background: #f8fafc; }
td .sd { color: var(--muted); font-size: 12px; }
td.rank { color: var(--muted); }
.note { color: var(--muted); font-size: 12.5px; max-width: 900px; }
.figures { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; }
.figures .note { flex: 1 1 280px; max-width: 520px; margin-top: 10px; }
svg.pr { font: 11px system-ui, sans-serif; }
svg.pr .grid { stroke: #edf0f3; }
svg.pr .frame { fill: none; stroke: #aab4bf; }
svg.pr .tick { fill: var(--muted); }
svg.pr .axis { fill: var(--ink); font-size: 12px; }
svg.pr .legend { fill: var(--ink); }
details { margin: 4px 0; border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; }
details[open] { padding-bottom: 10px; }
summary { cursor: pointer; font-weight: 500; }
summary .muted, .muted { color: var(--muted); font-weight: 400; }
details img { display: block; margin-top: 8px; max-width: 100%; }
.noise { display: flex; flex-wrap: wrap; gap: 22px; }
figure { margin: 0; }
figure.noise-type .tiles { display: flex; gap: 6px; }
figure.noise-type .tiles div { text-align: center; font-size: 12px; color: var(--muted); }
figure.noise-type img { width: 128px; height: 128px; image-rendering: pixelated; display: block;
  border: 1px solid var(--line); }
figcaption { font-size: 13px; margin-top: 4px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;

/**
 * The page's script: click (or Enter on) a column header to sort its table, `#sort=T:C:asc|desc` in the
 * address sorts table T by column C on load (and clicks update it); once loaded, every image that decoded
 * gets `data-loaded="yes"` and `<body data-images-loaded="ok/total">`.
 */
export const PAGE_JS = `
(function () {
  var tables = Array.prototype.slice.call(document.querySelectorAll("table.sortable"));
  function key(cell, numeric) {
    var v = cell.getAttribute("data-v");
    if (v === null) v = cell.textContent;
    return numeric ? (v === "" ? NaN : Number(v)) : v;
  }
  function sortTable(table, col, dir) {
    var head = table.tHead.rows[0].cells;
    if (!head[col]) return;
    var numeric = head[col].getAttribute("data-type") === "num";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[col], numeric), y = key(b.cells[col], numeric);
      if (numeric) {
        if (isNaN(x) || isNaN(y)) return isNaN(x) === isNaN(y) ? 0 : isNaN(x) ? 1 : -1; // undefined last
        return dir === "asc" ? x - y : y - x;
      }
      var c = String(x).localeCompare(String(y));
      return dir === "asc" ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    for (var i = 0; i < head.length; i++) head[i].removeAttribute("aria-sort");
    head[col].setAttribute("aria-sort", dir === "asc" ? "ascending" : "descending");
    table.setAttribute("data-sorted", col + ":" + dir);
  }
  tables.forEach(function (table, t) {
    var head = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(head, function (th, col) {
      th.tabIndex = 0;
      var go = function () {
        var current = th.getAttribute("aria-sort");
        var dir = current === "descending" ? "asc" : current === "ascending" ? "desc"
          : th.getAttribute("data-first") || "asc";
        sortTable(table, col, dir);
        if (history.replaceState) history.replaceState(null, "", "#sort=" + t + ":" + col + ":" + dir);
      };
      th.addEventListener("click", go);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") go(); });
    });
  });
  var m = /sort=(\\d+):(\\d+):(asc|desc)/.exec(location.hash);
  if (m && tables[Number(m[1])]) sortTable(tables[Number(m[1])], Number(m[2]), m[3]);
  function markImages() {
    var ok = 0;
    Array.prototype.forEach.call(document.images, function (img) {
      if (img.complete && img.naturalWidth > 0) { img.setAttribute("data-loaded", "yes"); ok++; }
    });
    document.body.setAttribute("data-images-loaded", ok + "/" + document.images.length);
  }
  if (document.readyState === "complete") markImages(); else window.addEventListener("load", markImages);
})();
`;
