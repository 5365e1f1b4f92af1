package store_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// TestAddCasesToRunOneStatement checks that TestRun.add_case and
// add_cases send one statement and no BEGIN or COMMIT: one round trip once
// the statement is prepared.
func TestAddCasesToRunOneStatement(t *testing.T) {
	u := storetest.URL(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	MustExec(t, conn, "INSERT INTO users (username, password) VALUES ('bulk', '')")
	MustTestCases(t, conn, 100)
	var run int64
	err = conn.QueryRow(ctx, `WITH v AS (INSERT INTO versions (value, product_id) SELECT '1', min(id) FROM products RETURNING id),
		b AS (INSERT INTO builds (name, version_id) SELECT 'b', id FROM v RETURNING id),
		p AS (INSERT INTO test_plans (name, product_version_id, author_id, product_id, type_id)
			SELECT 'p', v.id, (SELECT min(id) FROM users), (SELECT min(id) FROM products), (SELECT min(id) FROM plan_types) FROM v RETURNING id)
		INSERT INTO test_runs (summary, plan_id, build_id, manager_id) SELECT 'r', p.id, b.id, (SELECT min(id) FROM users) FROM p, b RETURNING id`).Scan(&run)
	if err != nil {
		t.Fatal(err)
	}
	st, count := storetest.Counting(t, u)
	by := store.Principal{UserID: 1}
	got, err := st.AddCasesToRun(ctx, by, run, []int64{1})
	if err != nil || len(got) != 1 {
		t.Fatalf("add_case: %v, %+v", err, got)
	}
	ids := make([]int64, 100)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	if got, err = st.AddCasesToRun(ctx, by, run, ids); err != nil || len(got) != 100 || *got[99].Sortkey != 1000 {
		t.Fatalf("add_cases: %v, %d executions", err, len(got))
	}
	if n, tx := count.N.Load(), count.TxControl.Load(); n != 2 || tx != 0 {
		t.Fatalf("two calls sent %d statements and %d BEGIN/COMMIT, want 2 and 0", n, tx)
	}
}
