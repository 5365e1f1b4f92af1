package store

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// recordDB records the statements a filterDB hands on.
type recordDB struct {
	sql  string
	args []any
}

func (r *recordDB) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	r.sql, r.args = sql, args
	return pgconn.CommandTag{}, nil
}

func (r *recordDB) Query(_ context.Context, sql string, args ...any) (pgx.Rows, error) {
	r.sql, r.args = sql, args
	return nil, errors.New("recorded")
}

func (r *recordDB) QueryRow(_ context.Context, sql string, args ...any) pgx.Row {
	r.sql, r.args = sql, args
	return errRow{errors.New("recorded")}
}

// TestFilteredQuery checks that the hole takes the condition, numbered
// after the statement's own parameters, in every method of the DBTX; that
// a bad query dict fails before anything runs; and that a statement
// without the hole is refused.
func TestFilteredQuery(t *testing.T) {
	ctx := context.Background()
	rec := &recordDB{}
	f := filterDB{rec, caseEntity, map[string]any{"summary": "x", "id__in": []any{1}}}
	const sql = "SELECT 1 FROM test_cases tc WHERE tc.id > $1 AND /* filter */ TRUE"
	want := "SELECT 1 FROM test_cases tc WHERE tc.id > $1 AND (tc.id = ANY($2::bigint[]) AND tc.summary = $3::text)"
	// Unnamed statements, planned for the tables as they are at each call.
	wantArgs := []any{pgx.QueryExecModeCacheDescribe, int64(0), []int64{1}, "x"}
	check := func(what string) {
		t.Helper()
		if rec.sql != want || !reflect.DeepEqual(rec.args, wantArgs) {
			t.Fatalf("%s: %s %#v", what, rec.sql, rec.args)
		}
		rec.sql = ""
	}
	f.Exec(ctx, sql, int64(0))
	check("Exec")
	f.Query(ctx, sql, int64(0))
	check("Query")
	f.QueryRow(ctx, sql, int64(0))
	check("QueryRow")

	bad := filterDB{rec, caseEntity, map[string]any{"nope": 1}}
	if _, err := bad.Query(ctx, sql); ErrorKind(err) != Invalid || rec.sql != "" {
		t.Fatalf("bad query dict: %v, ran %q", err, rec.sql)
	}
	if err := bad.QueryRow(ctx, sql).Scan(); ErrorKind(err) != Invalid {
		t.Fatalf("bad query dict, QueryRow: %v", err)
	}
	if _, err := f.Exec(ctx, "DELETE FROM tags"); !errors.Is(err, errNoFilterHole) || rec.sql != "" {
		t.Fatalf("no hole: %v, ran %q", err, rec.sql)
	}
}
