package rpc

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
)

// runBed is a server with a run fixture and callers with and without
// permissions.
type runBed struct {
	ts             *testServer
	conn           *pgx.Conn
	admin          func(string, ...any) jsonResponse
	tester, nobody rpcCaller
	f              runFixture
}

func mustRunBed(t *testing.T) runBed {
	t.Helper()
	b := runBed{ts: mustServer(t)}
	b.conn = b.ts.mustDB()
	b.admin = b.ts.as(adminName, adminPass)
	b.tester, b.nobody = b.ts.callers(t, userName, userPass), b.ts.nobody(t)
	b.f = mustRunFixture(t, b.admin)
	return b
}

var runKeys = []string{"build", "default_tester", "id", "manager", "notes", "plan", "planned_start", "planned_stop", "start_date", "stop_date", "summary"}

var runFilterKeys = []string{"build", "build__name", "build__version", "build__version__product", "build__version__value",
	"default_tester", "default_tester__username", "id", "manager", "manager__username", "notes", "plan", "plan__name",
	"planned_start", "planned_stop", "start_date", "stop_date", "summary"}

const missingRun = "Internal error: TestRun matching query does not exist."

func TestTestRunCreate(t *testing.T) {
	b := mustRunBed(t)
	f, tester := b.f, b.tester
	var run wireRun
	r := tester.json("TestRun.create", f.runValues("nightly", "start_date", "2026-01-06 20:30:00", "notes", "n"))
	result(t, r, &run)
	wantKeys(t, r, runKeys...)
	if run["summary"] != "nightly" || run["plan"] != float64(f.plan) || run["build"] != float64(f.build) || run["manager"] != 1.0 ||
		run["default_tester"] != 2.0 || run["start_date"] != "2026-01-06T20:30:00" || run["stop_date"] != nil || run["notes"] != "n" {
		t.Fatalf("create: %v", run)
	}
	if n := count(t, b.conn, "SELECT count(*) FROM history WHERE owner = 'testruns_testrun' AND object_id = $1 AND history_type = '+' AND history_user_id = 2 AND record->>'summary' = 'nightly'", run.id()); n != 1 {
		t.Fatalf("history rows: %d", n)
	}
	planned := time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)
	tester.viaXML(t, &run, "TestRun.create", f.runValues("over XML", "manager", "1", "default_tester", "admin@example.com", "planned_start", planned, "case", []any{}))
	if run["manager"] != 1.0 || run["default_tester"] != 1.0 || run["planned_start"] != "2026-02-01T08:00:00Z" || run["start_date"] != nil {
		t.Fatalf("create over XML-RPC: %v", run)
	}

	// The keys Kiwi checks without using them: nothing else happens.
	conn := b.conn
	confirmed, proposed := mustPlanCase(t, conn, f.product, "confirmed"), mustPlanCase(t, conn, f.product, "proposed")
	mustExec(t, conn, "UPDATE test_cases SET case_status_id = 2 WHERE id = $1", confirmed)
	var env store.Environment
	result(t, b.admin("Environment.create", map[string]any{"name": "linux"}), &env)
	result(t, tester.json("TestRun.create", f.runValues("extras", "case", []any{confirmed}, "product", f.product,
		"environment", env.ID, "matrix_type", "pairwise")), &run)
	if n := count(t, conn, "SELECT count(*) FROM test_executions"); n != 0 {
		t.Fatalf("create made %d executions", n)
	}

	runs := count(t, conn, "SELECT count(*) FROM test_runs")
	mustExec(t, conn, "INSERT INTO builds (name, version_id, is_active) VALUES ('old', $1, false)", f.version)
	var inactive int64
	if err := conn.QueryRow(t.Context(), "SELECT id FROM builds WHERE name = 'old'").Scan(&inactive); err != nil {
		t.Fatal(err)
	}
	var otherBuild int64
	if err := conn.QueryRow(t.Context(), "SELECT id FROM builds WHERE version_id = $1", f.otherVersion).Scan(&otherBuild); err != nil {
		t.Fatal(err)
	}
	choice := "['Select a valid choice. That choice is not one of the available choices.'])]"
	for _, c := range []struct {
		values map[string]any
		msg    string
	}{
		{map[string]any{}, "[('summary', ['This field is required.']), ('plan', ['This field is required.']), ('build', ['This field is required.']), ('manager', ['This field is required.'])]"},
		{f.runValues("x", "manager", "manager"), `Unknown user: "manager"`},
		{f.runValues("x", "manager", "999"), `Unknown user_id: "999"`},
		{f.runValues("x", "default_tester", "ghost"), `Unknown user: "ghost"`},
		{f.runValues("x", "build", otherBuild), "[('build', " + choice},
		{f.runValues("x", "build", inactive), "[('build', " + choice},
		{f.runValues("x", "build", 99999), "[('build', " + choice},
		{f.runValues("x", "plan", 99999), "[('plan', " + choice},
		{f.runValues("x", "stop_date", "10-10-2010"), "[('stop_date', ['Invalid date format. Expected YYYY-MM-DD [HH:MM:SS].'])]"},
		{f.runValues("x", "case", []any{proposed}), fmt.Sprintf("[('case', ['Select a valid choice. %d is not one of the available choices.'])]", proposed)},
		{f.runValues("x", "case", confirmed), "[('case', ['Enter a list of values.'])]"},
		{f.runValues("x", "case", []any{"one"}), "[('case', ['“one” is not a valid value.'])]"},
		{f.runValues("x", "product", 99999), "[('product', " + choice},
		{f.runValues("x", "environment", []any{env.ID, 99999}), "[('environment', " + choice},
		{f.runValues("x", "matrix_type", "diagonal"), "[('matrix_type', ['Select a valid choice. diagonal is not one of the available choices.'])]"},
	} {
		tester.fault(t, CodeInternal, "Internal error: "+c.msg, "TestRun.create", c.values)
	}
	b.nobody.refused(t, "testruns.add_testrun", "TestRun.create", f.runValues("nobody"))
	if n := count(t, conn, "SELECT count(*) FROM test_runs"); n != runs {
		t.Fatalf("refused creates wrote %d runs", n-runs)
	}
}

func TestTestRunFilterGet(t *testing.T) {
	b := mustRunBed(t)
	f, tester, nobody, conn := b.f, b.tester, b.nobody, b.conn
	var second wireRun
	result(t, tester.json("TestRun.create", f.runValues("second", "default_tester", userName, "start_date", "2026-03-01")), &second)
	c := mustPlanCase(t, conn, f.product, "case")
	mustExec(t, conn, `INSERT INTO test_executions (run_id, case_id, case_text_version, status_id, build_id) VALUES ($1, $2, 0, 4, $3)`, second.id(), c, f.build)
	result(t, tester.json("TestRun.add_tag", second.id(), "nightly"), new(any))
	result(t, tester.json("TestRun.add_cc", second.id(), adminName), new(any))

	var rows []wireRun
	r := tester.json("TestRun.filter")
	result(t, r, &rows)
	wantKeys(t, r, runFilterKeys...)
	if len(rows) != 2 || rows[0].id() != f.run || rows[1].id() != second.id() || rows[0]["plan__name"] != "runs" ||
		rows[0]["build__name"] != "b1" || rows[0]["build__version"] != float64(f.version) || rows[0]["build__version__value"] != "1.0" ||
		rows[0]["build__version__product"] != float64(f.product) || rows[0]["manager__username"] != adminName ||
		rows[0]["default_tester__username"] != adminName || rows[1]["default_tester__username"] != userName {
		t.Fatalf("filter: %v", rows)
	}
	for _, c := range []struct {
		query map[string]any
		want  []int64
	}{
		{map[string]any{"pk": fmt.Sprint(second.id())}, []int64{second.id()}},
		{map[string]any{"pk": 0}, nil},
		{map[string]any{"plan": f.plan, "build__name": "b1"}, []int64{f.run, second.id()}},
		{map[string]any{"plan__product": f.product, "plan__product_version": fmt.Sprint(f.version)}, []int64{f.run, second.id()}},
		{map[string]any{"build__version__value": "1.0", "build__version__product": f.product}, []int64{f.run, second.id()}},
		{map[string]any{"default_tester__username": userName}, []int64{second.id()}},
		{map[string]any{"manager__username": adminName, "summary__icontains": "SEC"}, []int64{second.id()}},
		{map[string]any{"tag__name__in": []any{"nightly", "x"}}, []int64{second.id()}},
		{map[string]any{"cc": 1}, []int64{second.id()}},
		{map[string]any{"executions__case": c}, []int64{second.id()}},
		{map[string]any{"executions__status": 4}, []int64{second.id()}},
		{map[string]any{"start_date__gte": "2026-02-01"}, []int64{second.id()}},
		{map[string]any{"stop_date__isnull": true, "plan__name": "runs"}, []int64{f.run, second.id()}},
	} {
		var got []wireRun
		tester.viaXML(t, &got, "TestRun.filter", c.query)
		ids := make([]int64, len(got))
		for i, g := range got {
			ids[i] = g.id()
		}
		if fmt.Sprint(ids) != fmt.Sprint(c.want) && !(len(ids) == 0 && c.want == nil) {
			t.Fatalf("%v: got %v, want %v", c.query, ids, c.want)
		}
	}
	result(t, tester.json("TestRun.filter", nil), &rows)
	if len(rows) != 2 {
		t.Fatalf("filter(None): %v", rows)
	}
	tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field.", "TestRun.filter", map[string]any{"nope": 1})
	nobody.refused(t, "testruns.view_testrun", "TestRun.filter", map[string]any{})

	var one wireRun
	r = tester.json("TestRun.get", second.id())
	result(t, r, &one)
	wantKeys(t, r, runFilterKeys...)
	tester.viaXML(t, &one, "TestRun.get", second.id())
	if one.id() != second.id() || one["summary"] != "second" || one["start_date"] != "2026-03-01T00:00:00Z" {
		t.Fatalf("get: %v", one)
	}
	tester.fault(t, CodeInternal, missingRun, "TestRun.get", 99999)
	nobody.refused(t, "testruns.view_testrun", "TestRun.get", f.run)
	if _, err := b.ts.Store.GrantObject(t.Context(), store.Principal{UserID: 1, IsSuperuser: true}, store.ObjectGrantSpec{
		Username: "nobody", Permission: "testruns.view_testrun", ObjectType: "TestRun", ObjectID: second.id()}); err != nil {
		t.Fatal(err)
	}
	nobody.viaJSON(t, &one, "TestRun.get", second.id())
	if one.id() != second.id() {
		t.Fatalf("get with a grant: %v", one)
	}
	// The grant opens that one run to the getters, nothing else.
	var cc []string
	nobody.viaXML(t, &cc, "TestRun.get_cc", second.id())
	if fmt.Sprint(cc) != "[admin@example.com]" {
		t.Fatalf("get_cc with a grant: %v", cc)
	}
	nobody.refused(t, "testruns.view_testrun", "TestRun.get", f.run)
	nobody.refused(t, "testruns.view_testrun", "TestRun.filter", map[string]any{"pk": second.id()})
	nobody.refused(t, "testruns.change_testrun", "TestRun.update", second.id(), map[string]any{"summary": "x"})
}

func TestTestRunUpdate(t *testing.T) {
	b := mustRunBed(t)
	f, tester, conn := b.f, b.tester, b.conn
	id := f.run
	var run wireRun
	r := tester.json("TestRun.update", id, map[string]any{"stop_date": "2026-01-07 10:00:00", "summary": "renamed",
		"default_tester": "", "manager": "tester@example.com", "notes": "line1\nline2"})
	result(t, r, &run)
	wantKeys(t, r, runKeys...)
	if run["summary"] != "renamed" || run["stop_date"] != "2026-01-07T10:00:00" || run["default_tester"] != nil || run["manager"] != 2.0 ||
		run["plan"] != float64(f.plan) || run["build"] != float64(f.build) || run["notes"] != "line1\nline2" {
		t.Fatalf("update: %v", run)
	}
	tester.viaXML(t, &run, "TestRun.update", id, map[string]any{"stop_date": nil, "planned_stop": time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), "default_tester": 1})
	if run["stop_date"] != nil || run["planned_stop"] != "2026-05-01T00:00:00Z" || run["default_tester"] != 1.0 || run["summary"] != "renamed" {
		t.Fatalf("update over XML-RPC: %v", run)
	}
	var reason string
	if err := conn.QueryRow(t.Context(), `SELECT history_change_reason FROM history WHERE owner = 'testruns_testrun' AND object_id = $1
		AND history_type = '~' ORDER BY history_id LIMIT 1`, id).Scan(&reason); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--- summary\n+++ summary\n@@ -1 +1 @@\n-first\n+renamed", "--- stop_date", "+line1\n+line2", "--- manager_id"} {
		if !strings.Contains(reason, want) {
			t.Fatalf("change reason lacks %q:\n%s", want, reason)
		}
	}
	if strings.Contains(reason, "plan_id") || strings.Contains(reason, "last_sortkey") {
		t.Fatalf("change reason lists unchanged fields:\n%s", reason)
	}

	// The build must fit the plan unless the plan is given.
	var otherBuild, otherPlan int64
	if err := conn.QueryRow(t.Context(), "SELECT id FROM builds WHERE version_id = $1", f.otherVersion).Scan(&otherBuild); err != nil {
		t.Fatal(err)
	}
	var p wirePlan
	result(t, b.admin("TestPlan.create", map[string]any{"name": "other", "product": f.product, "product_version": f.version, "type": f.planType}), &p)
	otherPlan = p.ID
	choice := "Internal error: [('build', ['Select a valid choice. That choice is not one of the available choices.'])]"
	tester.fault(t, CodeInternal, choice, "TestRun.update", id, map[string]any{"build": otherBuild})
	tester.viaXML(t, &run, "TestRun.update", id, map[string]any{"build": otherBuild, "plan": otherPlan})
	if run["build"] != float64(otherBuild) || run["plan"] != float64(otherPlan) {
		t.Fatalf("update with a plan: %v", run)
	}
	// Now the current build does not fit the plan: every update without a
	// plan fails, even one that does not name the build.
	tester.fault(t, CodeInternal, choice, "TestRun.update", id, map[string]any{"summary": "again"})
	result(t, tester.json("TestRun.update", id, map[string]any{"build": fmt.Sprint(f.build)}), &run)
	mustExec(t, conn, "UPDATE builds SET is_active = false WHERE id = $1", f.build)
	tester.fault(t, CodeInternal, choice, "TestRun.update", id, map[string]any{"summary": "again"})
	mustExec(t, conn, "UPDATE builds SET is_active = true WHERE id = $1", f.build)

	before := count(t, conn, "SELECT count(*) FROM history WHERE owner = 'testruns_testrun'")
	for values, msg := range map[string]string{
		`{"summary":"changed","start_date":"10-10-2010"}`: "[('start_date', ['Invalid date format. Expected YYYY-MM-DD [HH:MM:SS].'])]",
		`{"summary":""}`:           "[('summary', ['This field is required.'])]",
		`{"plan":null}`:            "[('plan', ['This field is required.'])]",
		`{"manager":""}`:           "A user name or user ID is required.",
		`{"manager":"ghost"}`:      `Unknown user: "ghost"`,
		`{"default_tester":"999"}`: `Unknown user_id: "999"`,
		`{"plan":99999}`:           "[('plan', ['Select a valid choice. That choice is not one of the available choices.'])]",
	} {
		tester.fault(t, CodeInternal, "Internal error: "+msg, "TestRun.update", id, jsonValues(t, values))
	}
	tester.fault(t, CodeInternal, missingRun, "TestRun.update", 99999, map[string]any{"summary": "x"})
	b.nobody.refused(t, "testruns.change_testrun", "TestRun.update", id, map[string]any{"summary": "nobody"})
	var got []wireRun
	result(t, tester.json("TestRun.filter", map[string]any{"pk": id}), &got)
	if got[0]["summary"] != "renamed" || got[0]["start_date"] != nil {
		t.Fatalf("refused updates changed the run: %v", got[0])
	}
	if n := count(t, conn, "SELECT count(*) FROM history WHERE owner = 'testruns_testrun'"); n != before {
		t.Fatalf("refused updates wrote %d history rows", n-before)
	}
}
