package rpc

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/tcms/tcms/store"
)

// runCaseFixture is a run (default tester: tester) in a plan of the case
// fixture's product, with confirmed cases and a proposed one.
type runCaseFixture struct {
	caseFixture
	run      int64
	cases    []int64 // confirmed
	proposed int64
}

func newRunCaseFixture(t *testing.T, confirmed int) runCaseFixture {
	t.Helper()
	f := runCaseFixture{caseFixture: newCaseFixture(t)}
	for i := range confirmed {
		f.cases = append(f.cases, f.mustCase(t, fmt.Sprint("run case ", i), 2))
	}
	f.proposed = f.mustCase(t, "proposed", 1)
	err := f.ts.mustDB().QueryRow(t.Context(), `WITH v AS (SELECT min(id) AS id FROM versions WHERE product_id = $1),
		p AS (INSERT INTO test_plans (name, product_version_id, author_id, product_id, type_id)
			SELECT 'plan', v.id, 1, $1, (SELECT min(id) FROM plan_types) FROM v RETURNING id, product_version_id)
		INSERT INTO test_runs (summary, plan_id, build_id, manager_id, default_tester_id)
		SELECT 'run', p.id, (SELECT min(b.id) FROM builds b WHERE b.version_id = p.product_version_id), 1, 2 FROM p
		RETURNING id`, f.product).Scan(&f.run)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f runCaseFixture) mustCase(t *testing.T, summary string, status int64) int64 {
	t.Helper()
	var c struct{ ID int64 }
	f.tester.viaJSON(t, &c, "TestCase.create", map[string]any{"summary": summary, "case_status": status, "category": f.category, "priority": 1})
	return c.ID
}

// count runs a count query behind the server's back.
func (f runCaseFixture) count(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := f.ts.mustDB().QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRunAddCase(t *testing.T) {
	f := newRunCaseFixture(t, 2)
	a, b := f.cases[0], f.cases[1]
	var first, again, second []store.AddedExecution
	f.tester.viaJSON(t, &first, "TestRun.add_case", f.run, a)
	if len(first) != 1 {
		t.Fatalf("want one execution, got %+v", first)
	}
	e := first[0]
	var version, build int64
	if err := f.ts.mustDB().QueryRow(t.Context(), `SELECT (SELECT max(history_id) FROM history WHERE owner = 'testcases_testcase' AND object_id = $1),
		(SELECT build_id FROM test_runs WHERE id = $2)`, a, f.run).Scan(&version, &build); err != nil {
		t.Fatal(err)
	}
	if e.Run != f.run || e.Case != a || e.Status != 1 || e.Sortkey == nil || *e.Sortkey != 10 || e.Assignee == nil || *e.Assignee != 2 ||
		e.TestedBy != nil || e.CaseTextVersion != version || e.Build != build || e.StartDate != nil || e.StopDate != nil ||
		e.Tag == nil || len(e.Tag) != 0 || e.Properties == nil || len(e.Properties) != 0 {
		t.Fatalf("new execution: %+v", e)
	}
	// Again, over XML-RPC: the same execution, nothing new.
	f.tester.viaXML(t, &again, "TestRun.add_case", f.run, a)
	if len(again) != 1 || again[0].ID != e.ID {
		t.Fatalf("second add: %+v, want execution %d", again, e.ID)
	}
	f.tester.viaJSON(t, &second, "TestRun.add_case", f.run, fmt.Sprint(b))
	if len(second) != 1 || *second[0].Sortkey != 20 {
		t.Fatalf("next case: %+v, want sortkey 20", second)
	}
	if n := f.count(t, "SELECT count(*) FROM history WHERE owner = 'testruns_testexecution' AND history_type = '+'"); n != 2 {
		t.Fatalf("%d creation history rows, want 2", n)
	}

	t.Run("unconfirmed", func(t *testing.T) {
		f.tester.fault(t, CodeInternal, fmt.Sprintf("Internal error: TC-%d status is not confirmed", f.proposed), "TestRun.add_case", f.run, f.proposed)
		if n := f.count(t, "SELECT count(*) FROM test_executions WHERE case_id = $1", f.proposed); n != 0 {
			t.Fatalf("%d executions of an unconfirmed case", n)
		}
		// Already in the run: returned without a check, as Kiwi does.
		f.sql(t, "INSERT INTO test_executions (run_id, case_id, case_text_version, status_id, build_id) SELECT $1, $2, 0, 4, build_id FROM test_runs WHERE id = $1", f.run, f.proposed)
		var got []store.AddedExecution
		f.tester.viaJSON(t, &got, "TestRun.add_case", f.run, f.proposed)
		if len(got) != 1 || got[0].Status != 4 {
			t.Fatalf("unconfirmed case in the run: %+v", got)
		}
	})
	t.Run("missing", func(t *testing.T) {
		f.tester.fault(t, CodeInternal, "Internal error: TestRun matching query does not exist.", "TestRun.add_case", 999999, a)
		f.tester.fault(t, CodeInternal, "Internal error: TestCase matching query does not exist.", "TestRun.add_case", f.run, 999999)
		f.tester.fault(t, CodeInvalidParams, "Invalid parameters", "TestRun.add_case", f.run, "first")
	})
	t.Run("refused", func(t *testing.T) {
		c := f.mustCase(t, "refused", 2)
		f.nobody.refused(t, "testruns.add_testexecution", "TestRun.add_case", f.run, c)
		if n := f.count(t, "SELECT count(*) FROM test_executions WHERE case_id = $1", c); n != 0 {
			t.Fatalf("refused call wrote %d executions", n)
		}
	})
}

func TestRunAddCasePropertyMatrix(t *testing.T) {
	f := newRunCaseFixture(t, 1)
	c := f.cases[0]
	f.sql(t, `INSERT INTO test_run_properties (run_id, name, value) VALUES ($1, 'os', 'linux'), ($1, 'os', 'windows'), ($1, 'db', 'pg')`, f.run)
	f.sql(t, `INSERT INTO test_case_properties (case_id, name, value) VALUES ($1, 'browser', 'firefox'), ($1, 'browser', 'chrome'), ($1, 'os', 'linux')`, c)
	var got []store.AddedExecution
	f.tester.viaXML(t, &got, "TestRun.add_case", f.run, c)
	// browser x db x os = 2 x 1 x 2 combinations.
	var combos []string
	for i, e := range got {
		if *e.Sortkey != int64(10*(i+1)) {
			t.Fatalf("execution %d: sortkey %d", i, *e.Sortkey)
		}
		combos = append(combos, fmt.Sprint(e.Properties))
	}
	slices.Sort(combos)
	want := []string{"[{browser chrome} {db pg} {os linux}]", "[{browser chrome} {db pg} {os windows}]",
		"[{browser firefox} {db pg} {os linux}]", "[{browser firefox} {db pg} {os windows}]"}
	if !slices.Equal(combos, want) {
		t.Fatalf("matrix:\n%v\nwant\n%v", combos, want)
	}
	if n := f.count(t, "SELECT count(*) FROM test_execution_properties WHERE execution_id IN (SELECT id FROM test_executions WHERE case_id = $1)", c); n != 12 {
		t.Fatalf("%d execution properties, want 12", n)
	}
	var again []store.AddedExecution
	f.tester.viaJSON(t, &again, "TestRun.add_case", f.run, c)
	if a, b := mustJSON(t, again), mustJSON(t, got); a != b {
		t.Fatalf("again:\n%+v\nwant\n%+v", again, got)
	}

	t.Run("get_cases", func(t *testing.T) {
		var rows []store.RunCase
		f.tester.viaXML(t, &rows, "TestRun.get_cases", f.run)
		if len(rows) != 4 {
			t.Fatalf("want a row per execution, got %+v", rows)
		}
		last := got[0].ID
		for _, e := range got {
			last = max(last, e.ID)
		}
		for _, r := range rows {
			if r.ID != c || r.ExecutionID != last || r.Status != "IDLE" || r.Summary != "run case 0" {
				t.Fatalf("row %+v", r)
			}
		}
		var none []store.RunCase
		f.tester.viaJSON(t, &none, "TestRun.get_cases", 999999)
		if none == nil || len(none) != 0 {
			t.Fatalf("missing run: %v", none)
		}
		f.nobody.refused(t, "testruns.view_testrun", "TestRun.get_cases", f.run)
	})
	t.Run("remove_case", func(t *testing.T) {
		f.nobody.refused(t, "testruns.delete_testexecution", "TestRun.remove_case", f.run, c)
		f.tester.viaJSON(t, new(any), "TestRun.remove_case", 999999, c)
		if n := f.count(t, "SELECT count(*) FROM test_executions WHERE case_id = $1", c); n != 4 {
			t.Fatalf("%d executions left after refused and no-op removals, want 4", n)
		}
		f.sql(t, "INSERT INTO comments (owner, object_id, comment) VALUES ('testruns_testexecution', $1, 'gone')", got[0].ID)
		f.tester.viaXML(t, new(any), "TestRun.remove_case", f.run, c)
		if n := f.count(t, `SELECT (SELECT count(*) FROM test_executions WHERE case_id = $1) + (SELECT count(*) FROM test_execution_properties)
			+ (SELECT count(*) FROM comments WHERE owner = 'testruns_testexecution')`, c); n != 0 {
			t.Fatalf("%d executions, properties or comments left", n)
		}
		if n := f.count(t, "SELECT count(*) FROM history WHERE owner = 'testruns_testexecution' AND history_type = '-'"); n != 4 {
			t.Fatalf("%d deletion history rows, want 4", n)
		}
		f.tester.fault(t, CodeInvalidParams, "Invalid parameters", "TestRun.remove_case", f.run)
	})
}

func TestRunAddCases(t *testing.T) {
	f := newRunCaseFixture(t, 3)
	var one []store.AddedExecution
	f.tester.viaJSON(t, &one, "TestRun.add_case", f.run, f.cases[1])
	// All or nothing: the proposed case stops the whole call.
	f.tester.fault(t, CodeInternal, fmt.Sprintf("Internal error: TC-%d status is not confirmed", f.proposed), "TestRun.add_cases", f.run, []int64{f.cases[0], f.proposed})
	f.tester.fault(t, CodeInternal, "Internal error: TestCase matching query does not exist: 999998, 999999.", "TestRun.add_cases", f.run, []int64{999999, f.cases[0], 999998})
	many := make([]int64, 5000)
	for i := range many {
		many[i] = 900000 + int64(i)
	}
	f.tester.fault(t, CodeInternal, "Internal error: TestCase matching query does not exist: 900000, 900001, 900002, 900003, 900004, "+
		"900005, 900006, 900007, 900008, 900009, 900010, 900011, 900012, 900013, 900014, 900015, 900016, 900017, 900018, 900019 and 4980 more.",
		"TestRun.add_cases", f.run, many)
	if n := f.count(t, "SELECT count(*) FROM test_executions"); n != 1 {
		t.Fatalf("%d executions after refused calls, want 1", n)
	}
	var got []store.AddedExecution
	f.tester.viaXML(t, &got, "TestRun.add_cases", f.run, []int64{f.cases[2], f.cases[1], f.cases[0], f.cases[2]})
	var order []int64
	for _, e := range got {
		order = append(order, e.Case, *e.Sortkey)
	}
	if want := []int64{f.cases[2], 20, f.cases[1], 10, f.cases[0], 30}; !slices.Equal(order, want) {
		t.Fatalf("case, sortkey: %v, want %v", order, want)
	}
	var none []store.AddedExecution
	f.tester.viaJSON(t, &none, "TestRun.add_cases", f.run, []int64{})
	if none == nil || len(none) != 0 {
		t.Fatalf("no cases: %v", none)
	}
	f.tester.fault(t, CodeInvalidParams, "Invalid parameters", "TestRun.add_cases", f.run, "1,2")
	f.tester.fault(t, CodeInternal, "Internal error: case_ids: at most 10000 cases", "TestRun.add_cases", f.run, make([]int64, 10001))
	f.nobody.refused(t, "testruns.add_testexecution", "TestRun.add_cases", f.run, []int64{f.cases[0]})
}

// TestRunAddCaseConcurrent has many clients add the same cases, in
// different orders, to one run at once: each case gets one set of
// executions, every client sees the same ones, and sortkeys never repeat.
func TestRunAddCaseConcurrent(t *testing.T) {
	const clients, cases = 8, 12
	f := newRunCaseFixture(t, cases)
	// One case with a 2x2 matrix.
	f.sql(t, `INSERT INTO test_case_properties (case_id, name, value) VALUES ($1, 'a', '1'), ($1, 'a', '2'), ($1, 'b', 'x'), ($1, 'b', 'y')`, f.cases[0])
	seen := make([]map[int64][]int64, clients) // per client: case -> execution ids
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		call := f.ts.as(userName, userPass)
		order := slices.Clone(f.cases)
		rand.Shuffle(len(order)-1, func(a, b int) { order[a+1], order[b+1] = order[b+1], order[a+1] })
		seen[i] = map[int64][]int64{}
		wg.Go(func() {
			<-start // all at once, and all with the matrix case first
			for _, c := range order {
				r := call("TestRun.add_case", f.run, c)
				var got []store.AddedExecution
				if r.Error != nil || json.Unmarshal(r.Result, &got) != nil {
					t.Errorf("client %d, case %d: %+v", i, c, r.Error)
					return
				}
				for _, e := range got {
					seen[i][c] = append(seen[i][c], e.ID)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		return
	}
	for i := 1; i < clients; i++ {
		if fmt.Sprint(seen[i]) != fmt.Sprint(seen[0]) {
			t.Fatalf("client %d saw %v, client 0 %v", i, seen[i], seen[0])
		}
	}
	if n := f.count(t, "SELECT count(*) FROM test_executions WHERE run_id = $1", f.run); n != cases-1+4 {
		t.Fatalf("%d executions, want %d", n, cases-1+4)
	}
	if n := f.count(t, "SELECT count(DISTINCT sortkey) FROM test_executions WHERE run_id = $1", f.run); n != cases-1+4 {
		t.Fatalf("%d distinct sortkeys for %d executions", n, cases-1+4)
	}
	if n := f.count(t, "SELECT count(*) FROM history WHERE owner = 'testruns_testexecution'"); n != cases-1+4 {
		t.Fatalf("%d history rows, want one per execution", n)
	}
}

// TestRunAddCasesConcurrentMatrix has clients add overlapping lists of
// cases at once to runs with a property matrix, round after round: a
// client that loses the race for a case must get the executions the
// winner made, never a fault. (When the losing statement wrote the
// properties of executions it had not inserted, it failed as a whole and
// its retry could lose again: 12 of 64 such calls answered "internal
// error".)
func TestRunAddCasesConcurrentMatrix(t *testing.T) {
	const clients, rounds, cases = 8, 6, 12 // client i adds cases 2i mod 8 to 2i mod 8 + 5
	f := newRunCaseFixture(t, cases)
	for range rounds {
		var run int64
		err := f.ts.mustDB().QueryRow(t.Context(), `WITH r AS (INSERT INTO test_runs (summary, plan_id, build_id, manager_id)
			SELECT 'matrix', plan_id, build_id, manager_id FROM test_runs WHERE id = $1 RETURNING id),
			p AS (INSERT INTO test_run_properties (run_id, name, value) SELECT r.id, 'browser', b FROM r, unnest('{ff,ch}'::text[]) b)
			SELECT id FROM r`, f.run).Scan(&run)
		if err != nil {
			t.Fatal(err)
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range clients {
			call := f.ts.as(userName, userPass)
			ids := f.cases[(i*2)%8 : (i*2)%8+6]
			wg.Go(func() {
				<-start
				var got []store.AddedExecution
				if r := call("TestRun.add_cases", run, ids); r.Error != nil || json.Unmarshal(r.Result, &got) != nil || len(got) != 2*len(ids) {
					t.Errorf("client %d: %d executions, %+v", i, len(got), r.Error)
				}
			})
		}
		close(start)
		wg.Wait()
		want := int64(2 * cases)
		if n := f.count(t, "SELECT count(*) FROM test_executions WHERE run_id = $1", run); n != want {
			t.Fatalf("%d executions, want %d", n, want)
		}
		if n := f.count(t, "SELECT count(*) FROM test_execution_properties p JOIN test_executions e ON e.id = p.execution_id WHERE e.run_id = $1", run); n != want {
			t.Fatalf("%d execution properties, want %d", n, want)
		}
		if n := f.count(t, `SELECT count(*) FROM history h JOIN test_executions e ON e.id = h.object_id
			WHERE h.owner = 'testruns_testexecution' AND e.run_id = $1`, run); n != want {
			t.Fatalf("%d history rows, want one per execution", n)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
