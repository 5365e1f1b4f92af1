package store_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/storetest"
)

// MustTestCases inserts n test cases, "case 1" to "case n" with setup
// durations of 1 to n seconds, in a new category "cat" of a new product
// "p", written by the first user, in one statement.
func MustTestCases(t *testing.T, conn *pgx.Conn, n int) {
	t.Helper()
	MustExec(t, conn, `WITH cl AS (INSERT INTO classifications (name) VALUES ('c') RETURNING id),
		p AS (INSERT INTO products (name, classification_id) SELECT 'p', id FROM cl RETURNING id),
		cat AS (INSERT INTO categories (name, product_id) SELECT 'cat', id FROM p RETURNING id)
	INSERT INTO test_cases (summary, case_status_id, category_id, priority_id, author_id, setup_duration)
	SELECT 'case ' || g, 2, cat.id, 1, (SELECT min(id) FROM users), make_interval(secs => g) FROM generate_series(1, $1::int) g, cat`, n)
}

// TestFilterTestCasesOneQuery checks that TestCase.filter answers 10,000
// cases, with every joined name and the history date, in one SQL
// statement, and logs how long that takes.
func TestFilterTestCasesOneQuery(t *testing.T) {
	u := storetest.URL(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	MustExec(t, conn, "INSERT INTO users (username, password) VALUES ('bulk', '')")
	MustTestCases(t, conn, 10000)
	st, count := storetest.Counting(t, u)
	start := time.Now()
	rows, err := st.FilterTestCases(ctx, map[string]any{"summary__startswith": "case", "category__name": "cat"})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 10000 || rows[9999].SetupDuration == nil || *rows[9999].SetupDuration != 10000 || rows[0].AuthorUsername != "bulk" {
		t.Fatalf("got %d rows, last %+v", len(rows), rows[len(rows)-1])
	}
	if n := count.N.Load(); n != 1 {
		t.Fatalf("TestCase.filter sent %d statements, want 1", n)
	}
	t.Logf("TestCase.filter answered 10,000 cases in one statement in %v", elapsed)
}
