package rpc

import (
	"fmt"
	"regexp"
	"slices"
	"testing"
)

// ciJUnitMethods are the methods of issue 6 that ci_junit.py calls.
var ciJUnitMethods = []string{"TestRun.create", "TestRun.filter", "TestRun.update", "TestRun.add_case",
	"TestExecution.update", "TestExecution.add_comment", "TestExecution.filter", "TestExecution.get_comments"}

// TestPythonCIJUnit reports testdata/junit-40.xml (22 passes, 8 failures,
// 4 errors, 6 skips) with testdata/ci_junit.py, the call sequence of
// Kiwi's junit.xml plugin (docs/ci.md) over Python's stdlib
// xmlrpc.client, as the Tester user. The script checks each execution's
// status, dates and comment; this test checks the database: one run, 40
// executions, and after a second report into the same run (TCMS_RUN_ID, a
// day later, TCMS_DEFAULT_TESTER_ID as a string) the same 40 executions
// with the new dates and tester.
func TestPythonCIJUnit(t *testing.T) {
	ts := mustServer(t)
	var listed []string
	result(t, ts.jsonCall("system.listMethods", []any{}), &listed)
	for _, m := range ciJUnitMethods {
		if !slices.Contains(listed, m) {
			t.Skipf("%s is not registered yet", m)
		}
	}
	conn := ts.mustDB()
	mustExec(t, conn, "INSERT INTO classifications (name) VALUES ('CI')")
	env := []string{"TCMS_PRODUCT=tcms-junit", "TCMS_PRODUCT_VERSION=2.0", "TCMS_BUILD=101"}
	state := func() string {
		t.Helper()
		var s string
		err := conn.QueryRow(t.Context(), `SELECT format('runs=%s executions=%s ids=%s comments=%s tested_by=%s first_start=%s',
			(SELECT count(*) FROM test_runs), count(*), md5(string_agg(e.id::text, ',' ORDER BY e.id)),
			(SELECT count(*) FROM comments WHERE owner = 'testruns_testexecution'),
			string_agg(DISTINCT e.tested_by_id::text, ','), to_char(min(e.start_date) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'))
			FROM test_executions e`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	out := runPython(t, env, "ci_junit", "testdata/ci_junit.py", ts.URL, userName, userPass, "testdata/junit-40.xml")
	m := regexp.MustCompile(`run_id=(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no run id in:\n%s", out)
	}
	// 37 comments: every test but the three skips without a message.
	first := state()
	ids := regexp.MustCompile(`ids=\w+`).FindString(first)
	if want := fmt.Sprintf("runs=1 executions=40 %s comments=37 tested_by=2 first_start=2026-03-01 10:00:00", ids); first != want {
		t.Fatalf("after the first report: %s, want %s", first, want)
	}

	env = append(env, "TCMS_RUN_ID="+m[1], "TCMS_DEFAULT_TESTER_ID=1")
	out = runPython(t, env, "ci_junit", "testdata/ci_junit.py", ts.URL, userName, userPass, "testdata/junit-40.xml", "1")
	if !regexp.MustCompile(`run_id=` + m[1] + `\n`).MatchString(out) {
		t.Fatalf("the second report went elsewhere:\n%s", out)
	}
	if got, want := state(), fmt.Sprintf("runs=1 executions=40 %s comments=74 tested_by=1 first_start=2026-03-02 10:00:00", ids); got != want {
		t.Fatalf("after reporting again into run %s: %s, want %s", m[1], got, want)
	}
}
