package rpc

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
)

// The relations of tags, cases, plans and statuses to runs and
// executions.

// mustRunSQL inserts, behind the server's back, a run of the plan (on the
// first build of the plan's version) with one FAILED execution per case,
// and returns the run and execution ids.
func mustRunSQL(t *testing.T, conn *pgx.Conn, plan int64, summary string, cases ...int64) (run int64, execs []int64) {
	t.Helper()
	rows, err := conn.Query(t.Context(), `WITH r AS (INSERT INTO test_runs (summary, plan_id, build_id, manager_id)
		SELECT $2, tp.id, (SELECT min(b.id) FROM builds b WHERE b.version_id = tp.product_version_id), tp.author_id
		FROM test_plans tp WHERE tp.id = $1 RETURNING id, build_id)
	INSERT INTO test_executions (run_id, case_id, slot, case_text_version, status_id, build_id, sortkey)
	SELECT r.id, u.c, u.o, 0, 5, r.build_id, 10 * u.o FROM r, unnest($3::bigint[]) WITH ORDINALITY AS u(c, o)
	RETURNING run_id, id`, plan, summary, cases)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&run, &id); err != nil {
			t.Fatal(err)
		}
		execs = append(execs, id)
	}
	if rows.Err() != nil || len(execs) != len(cases) {
		t.Fatalf("run fixture: %v, %v", execs, rows.Err())
	}
	return run, execs
}

// mustBugSQL inserts a bug of the version's product and first build, behind
// the server's back, and returns its id.
func mustBugSQL(t *testing.T, conn *pgx.Conn, version int64, summary string) int64 {
	t.Helper()
	var id int64
	err := conn.QueryRow(t.Context(), `INSERT INTO bugs (summary, reporter_id, product_id, version_id, build_id)
		SELECT $2, (SELECT min(id) FROM users), v.product_id, v.id, (SELECT min(b.id) FROM builds b WHERE b.version_id = v.id)
		FROM versions v WHERE v.id = $1 RETURNING id`, version, summary).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// rowIDs lists the ids of rows read off the wire.
func rowIDs[T any](rows []T, id func(T) int64) string {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = id(r)
	}
	return fmt.Sprint(out)
}

func TestTagFilterRelations(t *testing.T) {
	b := mustPlanBed(t, "tagged plan")
	ts, tester, nobody, p := b.ts, b.tester, b.nobody, b.plan
	conn := ts.mustDB()
	c1, c2 := mustPlanCase(t, conn, b.f.product, "one"), mustPlanCase(t, conn, b.f.product, "two")
	run, execs := mustRunSQL(t, conn, p.ID, "nightly run", c1, c1)
	bug := mustBugSQL(t, conn, b.f.version, "crash")
	mustExec(t, conn, `WITH t AS (INSERT INTO tags (name) VALUES ('t'), ('solo') RETURNING id, name),
		ct AS (INSERT INTO test_case_tags (case_id, tag_id) SELECT $1, id FROM t WHERE name = 't'),
		pt AS (INSERT INTO test_plan_tags (plan_id, tag_id) SELECT $2, id FROM t WHERE name = 't'),
		rt AS (INSERT INTO test_run_tags (run_id, tag_id) SELECT $3, id FROM t WHERE name = 't'),
		et AS (INSERT INTO test_execution_tags (execution_id, tag_id) SELECT e, id FROM t, unnest($4::bigint[]) e WHERE name = 't')
		INSERT INTO bug_tags (bug_id, tag_id) SELECT $5, id FROM t WHERE name = 't'`,
		c1, p.ID, run, execs, bug)
	row := func(ids ...any) string { return fmt.Sprint(ids...) }
	rows := func(got []store.TagRow) []string {
		out := make([]string, len(got))
		for i, r := range got {
			out[i] = r.Name + " " + row(orNil(r.Case), orNil(r.Plan), orNil(r.Run), orNil(r.Execution), orNil(r.Bugs))
		}
		return out
	}
	want := func(got []store.TagRow, want ...string) {
		t.Helper()
		if g := rows(got); fmt.Sprint(g) != fmt.Sprint(want) {
			t.Fatalf("got %q, want %q", g, want)
		}
	}
	full := func(exec int64) string { return "t " + row(c1, p.ID, run, exec, bug) }
	const solo = "solo <nil> <nil> <nil> <nil> <nil>"

	t.Run("OK", func(t *testing.T) {
		var got []store.TagRow
		result(t, tester.json("Tag.filter", map[string]any{}), &got)
		want(got, full(execs[0]), full(execs[1]), solo)
		tester.viaXML(t, &got, "Tag.filter", map[string]any{"run": run})
		want(got, full(execs[0]), full(execs[1]))
		// Django reuses the filter's join for the values: only the matching
		// execution is in the rows.
		tester.viaXML(t, &got, "Tag.filter", map[string]any{"execution": execs[1]})
		want(got, full(execs[1]))
		result(t, tester.json("Tag.filter", map[string]any{"run__summary__icontains": "NIGHTLY", "execution__id__lt": execs[1]}), &got)
		want(got, full(execs[0]))
		result(t, tester.json("Tag.filter", map[string]any{"case__summary": "one", "plan__name": "tagged plan", "plan": p.ID, "case": c1}), &got)
		want(got, full(execs[0]), full(execs[1]))
		result(t, tester.json("Tag.filter", map[string]any{"bugs__summary": "crash", "bugs": bug}), &got)
		want(got, full(execs[0]), full(execs[1]))
		result(t, tester.json("Tag.filter", map[string]any{"execution__isnull": true}), &got)
		want(got, solo)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		tester.empty(t, "Tag.filter", map[string]any{"case": c2})
		tester.empty(t, "Tag.filter", map[string]any{"run": run + 1})
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'runs' into field. Choices are: bugs, case, execution, id, name, plan, run.",
			"Tag.filter", map[string]any{"runs": run})
		tester.fault(t, CodeInternal, "Internal error: Field 'run' expected a number but got 'x'.", "Tag.filter", map[string]any{"run": "x"})
	})
	t.Run("ErrPermission", func(t *testing.T) {
		nobody.refused(t, "management.view_tag", "Tag.filter", map[string]any{"run": run})
	})
}

func orNil(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestFilterByRuns(t *testing.T) {
	b := mustPlanBed(t, "with runs")
	ts, tester, nobody, p := b.ts, b.tester, b.nobody, b.plan
	conn := ts.mustDB()
	c1, c2, c3 := mustPlanCase(t, conn, b.f.product, "one"), mustPlanCase(t, conn, b.f.product, "two"), mustPlanCase(t, conn, b.f.product, "three")
	var other wirePlan
	result(t, b.admin("TestPlan.create", b.f.values("without runs")), &other)
	run, execs := mustRunSQL(t, conn, p.ID, "first", c1, c2)
	run2, _ := mustRunSQL(t, conn, p.ID, "second", c2)
	caseIDs := func(c wireCase) int64 { return c.id() }
	planIDs := func(p wirePlanRow) int64 { return p.ID }

	t.Run("TestCase", func(t *testing.T) {
		var got []wireCase
		result(t, tester.json("TestCase.filter", map[string]any{"executions__run": run}), &got)
		if rowIDs(got, caseIDs) != fmt.Sprint([]int64{c1, c2}) {
			t.Fatalf("cases of run %d: %v", run, got)
		}
		// A case in two runs is one row.
		tester.viaXML(t, &got, "TestCase.filter", map[string]any{"executions__run__in": []any{run, run2}, "executions__status": 5})
		if rowIDs(got, caseIDs) != fmt.Sprint([]int64{c1, c2}) {
			t.Fatalf("cases of both runs: %v", got)
		}
		result(t, tester.json("TestCase.filter", map[string]any{"executions": execs[1]}), &got)
		if rowIDs(got, caseIDs) != fmt.Sprint([]int64{c2}) {
			t.Fatalf("case of execution %d: %v", execs[1], got)
		}
		result(t, tester.json("TestCase.filter", map[string]any{"executions__isnull": true}), &got)
		if rowIDs(got, caseIDs) != fmt.Sprint([]int64{c3}) {
			t.Fatalf("cases without executions: %v", got)
		}
		tester.empty(t, "TestCase.filter", map[string]any{"executions__run": run2 + 1})
		tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'runs' into field. Choices are: actual_duration, assignee, assignee_id, bugs,",
			"TestCase.filter", map[string]any{"executions__runs": run})
		nobody.refused(t, "testcases.view_testcase", "TestCase.filter", map[string]any{"executions__run": run})
	})
	t.Run("TestPlan", func(t *testing.T) {
		var got []wirePlanRow
		result(t, tester.json("TestPlan.filter", map[string]any{"run": run2}), &got)
		if rowIDs(got, planIDs) != fmt.Sprint([]int64{p.ID}) {
			t.Fatalf("plan of run %d: %v", run2, got)
		}
		tester.viaXML(t, &got, "TestPlan.filter", map[string]any{"run__summary__in": []any{"first", "second"}})
		if rowIDs(got, planIDs) != fmt.Sprint([]int64{p.ID}) {
			t.Fatalf("plan of two runs is one row: %v", got)
		}
		result(t, tester.json("TestPlan.filter", map[string]any{"run__isnull": true}), &got)
		if rowIDs(got, planIDs) != fmt.Sprint([]int64{other.ID}) {
			t.Fatalf("plans without runs: %v", got)
		}
		tester.empty(t, "TestPlan.filter", map[string]any{"run": run2 + 1})
		tester.fault(t, CodeInternal, "Internal error: Field 'run' expected a number but got 'x'.", "TestPlan.filter", map[string]any{"run": "x"})
		nobody.refused(t, "testplans.view_testplan", "TestPlan.filter", map[string]any{"run": run})
	})
}

// TestTestCaseRemoveExecutions: removing a case removes its executions
// with their properties, tags, links, comments and attachments, and counts
// them.
func TestTestCaseRemoveExecutions(t *testing.T) {
	b := mustPlanBed(t, "removals")
	ts, tester, nobody, p := b.ts, b.tester, b.nobody, b.plan
	conn := ts.mustDB()
	c1, c2 := mustPlanCase(t, conn, b.f.product, "one"), mustPlanCase(t, conn, b.f.product, "two")
	_, execs := mustRunSQL(t, conn, p.ID, "run", c1, c1, c2)
	mustExec(t, conn, `WITH t AS (INSERT INTO tags (name) VALUES ('t') RETURNING id),
		et AS (INSERT INTO test_execution_tags (execution_id, tag_id) SELECT e, t.id FROM t, unnest($1::bigint[]) e),
		ep AS (INSERT INTO test_execution_properties (execution_id, name, value) VALUES ($2, 'os', 'linux'), ($2, 'os', 'mac')),
		l AS (INSERT INTO links (execution_id, url) VALUES ($2, 'https://ci.example.com/1')),
		bx AS (INSERT INTO bug_executions (bug_id, execution_id) VALUES ($3, $2)),
		cm AS (INSERT INTO comments (owner, object_id, comment)
			SELECT 'testruns_testexecution', e, 'failed' FROM unnest($1::bigint[]) e)
		INSERT INTO attachments (owner, object_id, filename, content, creator_id) VALUES ('testruns_testexecution', $2, 'log.txt', 'x', 1)`,
		execs, execs[0], mustBugSQL(t, conn, b.f.version, "crash"))
	left := func() string {
		return fmt.Sprint(count(t, conn, "SELECT count(*) FROM test_executions"), count(t, conn, "SELECT count(*) FROM comments"),
			count(t, conn, "SELECT count(*) FROM attachments"), count(t, conn, "SELECT count(*) FROM links"))
	}

	nobody.refused(t, "testcases.delete_testcase", "TestCase.remove", map[string]any{"executions": execs[0]})
	if got := left(); got != "3 3 1 1" {
		t.Fatalf("a refused remove deleted rows: %s", got)
	}
	var got []any
	result(t, tester.json("TestCase.remove", map[string]any{"executions": execs[0]}), &got)
	if fmt.Sprint(got) != "[12 map[attachments.Attachment:1 bugs.Bug_executions:1 django_comments.Comment:2 linkreference.LinkReference:1 testcases.TestCase:1 "+
		"testruns.TestExecution:2 testruns.TestExecutionProperty:2 testruns.TestExecutionTag:2]]" {
		t.Fatalf("remove: %v", got)
	}
	if got := left(); got != "1 1 0 0" {
		t.Fatalf("left after removing case %d: %s", c1, got)
	}
	tester.viaXML(t, &got, "TestCase.remove", map[string]any{"executions__run__isnull": false})
	if fmt.Sprint(got) != "[4 map[django_comments.Comment:1 testcases.TestCase:1 testruns.TestExecution:1 testruns.TestExecutionTag:1]]" {
		t.Fatalf("remove over XML-RPC: %v", got)
	}
	if got := left(); got != "0 0 0 0" {
		t.Fatalf("left after removing case %d: %s", c2, got)
	}
	if n := count(t, conn, "SELECT count(*) FROM history WHERE owner = 'testruns_testexecution' AND history_type = '-'"); n != 3 {
		t.Fatalf("%d deletion records of executions, want 3", n)
	}
	tester.fault(t, CodeInternal, "Internal error: Field 'executions' expected a number but got 'x'.", "TestCase.remove", map[string]any{"executions": "x"})
}

// TestExecutionStatusInUse: a status an execution has cannot be deleted,
// and the refusal says why.
func TestExecutionStatusInUse(t *testing.T) {
	b := mustPlanBed(t, "statuses")
	ts, admin := b.ts, b.ts.callers(t, adminName, adminPass)
	conn := ts.mustDB()
	_, execs := mustRunSQL(t, conn, b.plan.ID, "run", mustPlanCase(t, conn, b.f.product, "one"))
	admin.fault(t, CodeInternal, "Internal error: This test execution status is in use by test executions and cannot be deleted.", "TestExecutionStatus.remove", 5)
	if n := count(t, conn, "SELECT count(*) FROM test_execution_statuses WHERE id = 5"); n != 1 {
		t.Fatal("the status in use was deleted")
	}
	mustExec(t, conn, "UPDATE test_executions SET status_id = 6 WHERE id = $1", execs[0])
	admin.viaXML(t, new(any), "TestExecutionStatus.remove", 5)
	if n := count(t, conn, "SELECT count(*) FROM test_execution_statuses WHERE id = 5"); n != 0 {
		t.Fatal("the status no longer in use was kept")
	}
	b.nobody.refused(t, "testruns.delete_testexecutionstatus", "TestExecutionStatus.remove", 6)
}
