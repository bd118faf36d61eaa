import assert from "node:assert/strict";
import { parseCsv } from "./csv.ts";
import { InputError } from "./errors.ts";

Deno.test("parseCsv: quoted commas, doubled quotes and newlines inside quotes", () => {
  const text = 'id,text\r\n1,"a, b"\r\n2,"say ""hi"""\r\n3,"line one\nline two"\r\n4,plain\r\n';
  const recs = parseCsv(text, "t.csv");
  assert.deepEqual(recs.map((r) => r.fields), [
    ["id", "text"],
    ["1", "a, b"],
    ["2", 'say "hi"'],
    ["3", "line one\nline two"],
    ["4", "plain"],
  ]);
  // Record 4 starts on line 6 because record 3 spans lines 4-5.
  assert.deepEqual(recs.map((r) => r.line), [1, 2, 3, 4, 6]);
});

Deno.test("parseCsv: BOM, bare LF/CR line ends, empty fields, no final newline, blank lines", () => {
  const recs = parseCsv("\uFEFFa,b,c\n1,,3\r\n\n4,5,\r7,8,9", "t.csv");
  assert.deepEqual(recs.map((r) => r.fields), [["a", "b", "c"], ["1", "", "3"], ["4", "5", ""], [
    "7",
    "8",
    "9",
  ]]);
  assert.deepEqual(recs.map((r) => r.line), [1, 2, 4, 5]);
});

Deno.test("parseCsv: unterminated quote names the file and the line the quote opened on", () => {
  assert.throws(
    () => parseCsv('a,b\n1,2\n3,"never closed\nmore\n', "bad.csv"),
    (e: unknown) =>
      e instanceof InputError && /^bad\.csv: line 3: quoted field is never closed/.test(e.message),
  );
});

Deno.test("parseCsv: stray quotes are errors, not silently kept", () => {
  assert.throws(() => parseCsv('a,b\n1,x"y\n', "s.csv"), /s\.csv: line 2: quote inside an unquoted field/);
  assert.throws(
    () => parseCsv('a,b\n1,"x"y\n', "s.csv"),
    /s\.csv: line 2: unexpected text after closing quote/,
  );
});
