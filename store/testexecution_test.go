package store_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// MustExecutions makes the n cases of MustTestCases a run, with builds
// "b1" (the run's) and "b2", and one IDLE execution of each case on b1,
// behind the store's back. It returns the run, the executions in case
// order and the build b2.
func MustExecutions(t *testing.T, conn *pgx.Conn, n int) (run int64, execs []int64, b2 int64) {
	t.Helper()
	MustTestCases(t, conn, n)
	err := conn.QueryRow(t.Context(), `WITH v AS (INSERT INTO versions (value, product_id) SELECT '1.0', id FROM products WHERE name = 'p' RETURNING id, product_id),
	b AS (INSERT INTO builds (name, version_id) SELECT n, v.id FROM v, unnest(ARRAY['b1', 'b2']) n RETURNING id, name),
	p AS (INSERT INTO test_plans (name, product_version_id, author_id, product_id, type_id)
		SELECT 'plan', v.id, (SELECT min(id) FROM users), v.product_id, 1 FROM v RETURNING id)
	INSERT INTO test_runs (summary, plan_id, build_id, manager_id)
	SELECT 'run', p.id, (SELECT id FROM b WHERE name = 'b1'), (SELECT min(id) FROM users) FROM p
	RETURNING id, (SELECT id FROM b WHERE name = 'b2')`).Scan(&run, &b2)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(t.Context(), `INSERT INTO test_executions (run_id, case_id, case_text_version, status_id, build_id, sortkey)
		SELECT r.id, tc.id, 1, 1, r.build_id, 10 * row_number() OVER (ORDER BY tc.id) FROM test_runs r, test_cases tc
		WHERE r.id = $1 ORDER BY tc.id RETURNING id`, run)
	if err != nil {
		t.Fatal(err)
	}
	if execs, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		t.Fatal(err)
	}
	return run, execs, b2
}

// TestExecutionHotPathOneStatement checks that TestExecution.update and
// bulk_update each send exactly one statement and no BEGIN/COMMIT, history
// and comments included.
func TestExecutionHotPathOneStatement(t *testing.T) {
	_, conn, u := MustOpen(t)
	user := MustCreatePlainUser(t, MustOpenAnother(t, u), "ci")
	run, execs, b2 := MustExecutions(t, conn, 200)
	MustExec(t, conn, "UPDATE test_runs SET build_id = $1 WHERE id = $2", b2, run) // the run's current build
	st, c := storetest.Counting(t, u)
	by := store.Principal{UserID: user.ID, Username: user.Username}
	start, stop := time.Date(2026, 1, 6, 20, 30, 0, 0, time.UTC), time.Date(2026, 1, 6, 20, 31, 0, 0, time.UTC)

	got, err := st.UpdateExecution(t.Context(), by, execs[0], store.ExecutionFields{Status: new(int64(4)), SetStartDate: true, StartDate: &start, SetStopDate: true, StopDate: &stop})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != 4 || got.StatusName != "PASSED" || *got.TestedBy != user.ID || got.Build != b2 || !got.StopDate.Equal(stop) {
		t.Fatalf("update: %+v", got)
	}
	if c.N.Load() != 1 || c.TxControl.Load() != 0 {
		t.Fatalf("TestExecution.update sent %d statements and %d transaction controls, want 1 and 0", c.N.Load(), c.TxControl.Load())
	}

	c.N.Store(0)
	results := make([]store.ExecutionResult, 0, len(execs)-1)
	for i, id := range execs[1:] {
		status := int64(4 + i%2)
		results = append(results, store.ExecutionResult{ID: id, Status: &status, SetStart: true, StartDate: &start,
			SetStop: true, StopDate: &stop, Comment: "run " + strings.Repeat("x", i%3)})
	}
	began := time.Now()
	rows, err := st.ReportExecutions(t.Context(), by, results)
	elapsed := time.Since(began)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(results) || rows[0].ID != execs[1] || rows[1].StatusName != "FAILED" || rows[198].ID != execs[199] || rows[5].Build != b2 {
		t.Fatalf("bulk_update: %d rows, first %+v", len(rows), rows[0])
	}
	if c.N.Load() != 1 || c.TxControl.Load() != 0 {
		t.Fatalf("TestExecution.bulk_update sent %d statements and %d transaction controls, want 1 and 0", c.N.Load(), c.TxControl.Load())
	}
	var comments, history int
	conn.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM comments WHERE owner = 'testruns_testexecution'),
		(SELECT count(*) FROM history WHERE owner = 'testruns_testexecution' AND history_type = '~' AND history_user_id = $1)`, user.ID).Scan(&comments, &history)
	if comments != 199 || history != 200 {
		t.Fatalf("%d comments, %d history rows", comments, history)
	}
	t.Logf("TestExecution.bulk_update reported 199 executions in one statement in %v", elapsed)

	c.N.Store(0)
	if _, err := st.AddComment(t.Context(), by, store.TestExecutionOwner, execs[0], store.NewComment{Text: "passed"}); err != nil {
		t.Fatal(err)
	}
	if c.N.Load() != 1 || c.TxControl.Load() != 0 {
		t.Fatalf("TestExecution.add_comment sent %d statements and %d transaction controls, want 1 and 0", c.N.Load(), c.TxControl.Load())
	}
}

func TestReportExecutionsAllOrNothing(t *testing.T) {
	st, conn, _ := MustOpen(t)
	by := store.Principal{UserID: MustCreateUser(t, st, "ci").ID}
	_, execs, _ := MustExecutions(t, conn, 3)
	status := int64(5)
	_, err := st.ReportExecutions(t.Context(), by, []store.ExecutionResult{{ID: execs[0], Status: &status}, {ID: 99999, Comment: "x"}, {ID: execs[1]}})
	wantError(t, err, store.NotFound, "TestExecution matching query does not exist: id 99999; nothing was changed.")
	_, err = st.ReportExecutions(t.Context(), by, []store.ExecutionResult{{ID: execs[0], Status: &status}, {ID: execs[0]}})
	wantError(t, err, store.Invalid, fmt.Sprintf("TestExecution %d is listed twice.", execs[0]))
	var changed int
	conn.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM test_executions WHERE status_id <> 1) + (SELECT count(*) FROM comments)
		+ (SELECT count(*) FROM history)`).Scan(&changed)
	if changed != 0 {
		t.Fatalf("a refused bulk update wrote %d rows", changed)
	}
	rows, err := st.ReportExecutions(t.Context(), by, nil)
	if err != nil || rows == nil || len(rows) != 0 {
		t.Fatalf("empty bulk update: %v %v", rows, err)
	}
}

// TestReportExecutionsConcurrently has CI jobs report the same executions
// at once, in opposite orders, beside single updates: the executions are
// locked in id order, so no call deadlocks or loses its history row.
func TestReportExecutionsConcurrently(t *testing.T) {
	st, conn, _ := MustOpen(t)
	by := store.Principal{UserID: MustCreateUser(t, st, "ci").ID}
	_, execs, _ := MustExecutions(t, conn, 50)
	const jobs = 8
	errs := make(chan error, 2*jobs)
	var wg sync.WaitGroup
	for j := range jobs {
		wg.Add(2)
		go func() {
			defer wg.Done()
			status := int64(4 + j%2)
			results := make([]store.ExecutionResult, len(execs))
			for i, id := range execs {
				if j%2 == 1 {
					id = execs[len(execs)-1-i]
				}
				results[i] = store.ExecutionResult{ID: id, Status: &status, Comment: "job"}
			}
			_, err := st.ReportExecutions(t.Context(), by, results)
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := st.UpdateExecution(t.Context(), by, execs[j], store.ExecutionFields{SetSortkey: true, Sortkey: new(int64(j))})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var history, comments int
	conn.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM history WHERE owner = 'testruns_testexecution'),
		(SELECT count(*) FROM comments)`).Scan(&history, &comments)
	if history != jobs*len(execs)+jobs || comments != jobs*len(execs) {
		t.Fatalf("%d history rows, %d comments", history, comments)
	}
}
