import assert from "node:assert/strict";
import { InputError } from "./errors.ts";
import { parseReports, readReports } from "./reports.ts";

const TESTDATA = `${import.meta.dirname}/testdata`;

Deno.test("readReports: CSV corpus with quoted multi-line reports, dates and image column", async () => {
  const rows = await readReports(`${TESTDATA}/reports.csv`, { imagesColumn: "ct_path" });
  assert.equal(rows.length, 14);
  assert.equal(rows[0]!.scanId, "s01");
  assert.match(rows[0]!.report, /^CT HEAD\nClinical details: fall, \?bleed\.\nFindings:/);
  assert.equal(rows[0]!.date, "2021-01-04");
  assert.equal(rows[0]!.image, "ct/s01.nii.gz");
  const s12 = rows.find((r) => r.scanId === "s12")!;
  assert.equal(s12.report, 'Radiologist comment: "no acute abnormality", no haemorrhage.');
  assert.equal(s12.date, undefined);
  assert.equal(s12.image, undefined);
});

Deno.test("readReports: JSONL, blank lines skipped, numeric ids become strings", async () => {
  const rows = await readReports(`${TESTDATA}/reports.jsonl`);
  assert.deepEqual(rows.map((r) => [r.scanId, r.patientId, r.where]), [
    ["j1", "q1", "row 1 (line 1)"],
    ["2", "q2", "row 2 (line 3)"],
    ["j3", "q1", "row 3 (line 4)"],
  ]);
});

Deno.test("readReports: malformed row names file, row, line and field", async () => {
  const path = `${TESTDATA}/malformed_row.csv`;
  await assert.rejects(
    () => readReports(path),
    (e: unknown) =>
      e instanceof InputError &&
      e.message === `${path}: row 3 (line 5), field "patient_id": must not be empty`,
  );
});

Deno.test("parseReports: clear errors for bad dates, field counts, columns, JSON and duplicate ids", () => {
  const head = "scan_id,patient_id,report,date\n";
  assert.throws(
    () => parseReports(head + "a,p,ok,2020-02-30\n", "r.csv"),
    /r\.csv: row 1 \(line 2\), field "date": is not a real calendar date/,
  );
  assert.throws(
    () => parseReports(head + "a,p,ok,3/4/2020\n", "r.csv"),
    /r\.csv: row 1 \(line 2\), field "date": must be a date written YYYY-MM-DD/,
  );
  assert.throws(
    () => parseReports(head + "a,p,ok\n", "r.csv"),
    /r\.csv: row 1 \(line 2\): has 3 fields but the header has 4/,
  );
  assert.throws(
    () => parseReports("scan_id,report\na,ok\n", "r.csv"),
    /r\.csv: header lacks column "patient_id" \(found: scan_id, report\)/,
  );
  assert.throws(
    () => parseReports(head + "a,p,ok,\n", "r.csv", { imagesColumn: "path" }),
    /header lacks column "path"/,
  );
  assert.throws(
    () => parseReports(head + "a,p,   ,\n", "r.csv"),
    /row 1 \(line 2\), field "report": must not be empty/,
  );
  assert.throws(
    () => parseReports(head + "a,p,ok,\nb,p,ok,\na,q,ok,\n", "r.csv"),
    /r\.csv: row 3 \(line 4\), field "scan_id": "a" repeats the scan of row 1 \(line 2\)/,
  );
  assert.throws(
    () => parseReports('{"scan_id":"a"\n', "r.jsonl"),
    /r\.jsonl: row 1 \(line 1\): not valid JSON/,
  );
  assert.throws(
    () =>
      parseReports(
        '{"scan_id":"a","patient_id":"p","report":"x"}\n{"scan_id":"b","report":"x"}\n',
        "r.jsonl",
      ),
    /r\.jsonl: row 2 \(line 2\), field "patient_id":/,
  );
  assert.throws(() => parseReports("", "r.csv"), /r\.csv: file is empty/);
});

Deno.test("readReports: missing file is an InputError naming the path", async () => {
  await assert.rejects(
    () => readReports("/no/such/reports.csv"),
    /reports file not found: \/no\/such\/reports\.csv/,
  );
});
