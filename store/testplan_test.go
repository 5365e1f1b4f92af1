package store_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
)

// MustPlans inserts n test plans (with a product and version of their own)
// behind the Store's back and returns their ids.
func MustPlans(t *testing.T, conn *pgx.Conn, authorID int64, n int) []int64 {
	t.Helper()
	rows, err := conn.Query(t.Context(), `WITH c AS (INSERT INTO classifications (name) VALUES ('c-' || gen_random_uuid()) RETURNING id),
	p AS (INSERT INTO products (name, classification_id) SELECT 'p-' || gen_random_uuid(), id FROM c RETURNING id),
	v AS (INSERT INTO versions (value, product_id) SELECT '1.0', id FROM p RETURNING id, product_id)
	INSERT INTO test_plans (name, product_version_id, author_id, product_id, type_id)
	SELECT 'plan ' || i, v.id, $1, v.product_id, (SELECT min(id) FROM plan_types) FROM v, generate_series(1, $2) i
	RETURNING id`, authorID, n)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestTestPlanStore(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	u := MustCreateUser(t, st, "planner")
	by := store.Principal{UserID: u.ID, Username: u.Username}
	ids := MustPlans(t, conn, u.ID, 1)
	root, err := st.TestPlanByID(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Run("CreateWritesHistoryInOneStatement", func(t *testing.T) {
		p, err := st.CreateTestPlan(ctx, by, store.NewTestPlan{Name: "child", ProductVersionID: root.ProductVersionID,
			ProductID: root.ProductID, TypeID: root.TypeID, AuthorID: u.ID, ParentID: &root.ID, IsActive: true})
		if err != nil {
			t.Fatal(err)
		}
		var typ, rec string
		if err := conn.QueryRow(ctx, `SELECT history_type, record->>'name' FROM history WHERE owner = 'testplans_testplan' AND object_id = $1`, p.ID).Scan(&typ, &rec); err != nil || typ != "+" || rec != "child" {
			t.Fatalf("history: %q %q %v", typ, rec, err)
		}
		if _, err := st.UpdateTestPlan(ctx, by, root.ID, store.TestPlanPatch{SetParent: true, ParentID: &p.ID}); err == nil || !strings.Contains(err.Error(), "descendant of itself") {
			t.Fatalf("loop: %v", err)
		}
		var n int
		conn.QueryRow(ctx, `SELECT count(*) FROM history WHERE object_id = $1 AND owner = 'testplans_testplan'`, root.ID).Scan(&n)
		if n != 0 {
			t.Fatalf("a refused update wrote %d history rows", n)
		}
	})
	t.Run("EveryFilterPathIsValidSQL", func(t *testing.T) {
		for _, e := range store.Entities() {
			if e.Model != "TestPlan" {
				continue
			}
			for path, f := range e.Fields {
				var v any = 1
				switch f.Kind {
				case store.TextField:
					v = "x"
				case store.BoolField:
					v = true
				case store.TimeField:
					v = "2026-01-01"
				}
				if _, err := st.FilterTestPlans(ctx, map[string]any{path: v}); err != nil {
					t.Errorf("%s: %v", path, err)
				}
			}
		}
	})
}
