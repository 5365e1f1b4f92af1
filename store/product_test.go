package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tcms/tcms/store"
)

func TestCreateProduct(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	cl, err := st.CreateClassification(ctx, "Software")
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.CreateProduct(ctx, store.NewProduct{Name: "tcms", ClassificationID: cl.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	err = conn.QueryRow(ctx, `SELECT ca.name || '/' || v.value || '/' || b.name || '/' || b.is_active
		FROM categories ca JOIN versions v USING (product_id) JOIN builds b ON b.version_id = v.id
		WHERE ca.product_id = $1`, p.ID).Scan(&got)
	if err != nil || got != "--default--/unspecified/unspecified/true" {
		t.Fatalf("side effects: %q %v", got, err)
	}
	// A refused product leaves nothing behind: the side effects share its statement.
	_, err = st.CreateProduct(ctx, store.NewProduct{Name: "tcms", ClassificationID: cl.ID})
	var e *store.Error
	if !errors.As(err, &e) || e.Kind != store.Conflict || e.Message != "[('name', ['Product with this Name already exists.'])]" {
		t.Fatalf("duplicate: %v", err)
	}
	var n int
	conn.QueryRow(ctx, "SELECT (SELECT count(*) FROM categories) + (SELECT count(*) FROM versions) + (SELECT count(*) FROM builds)").Scan(&n)
	if n != 3 {
		t.Fatalf("rows after a refused product: %d", n)
	}
	v, err := st.CreateVersion(ctx, p.ID, "2.0")
	if err != nil {
		t.Fatal(err)
	}
	builds, err := st.FilterBuilds(ctx, map[string]any{"version": v.ID})
	if err != nil || len(builds) != 1 || builds[0].Name != "unspecified" || !builds[0].IsActive {
		t.Fatalf("version's build: %+v %v", builds, err)
	}
}

// TestCatalogueFilterPaths runs every declared filter path of the
// catalogue entities against the database, so that each expression and
// subquery is valid SQL over its row query.
func TestCatalogueFilterPaths(t *testing.T) {
	t.Parallel()
	st, _, _ := MustOpen(t)
	filters := map[string]func(context.Context, map[string]any) (int, error){
		"Classification": count(st.FilterClassifications), "Product": count(st.FilterProducts),
		"Version": count(st.FilterVersions), "Build": count(st.FilterBuilds),
		"Category": count(st.FilterCategories), "Component": count(st.FilterComponents),
		"Priority": count(st.FilterPriorities),
	}
	for _, e := range store.Entities() {
		run, ok := filters[e.Model]
		if !ok {
			continue
		}
		delete(filters, e.Model)
		for path, f := range e.Fields {
			value := map[store.FieldKind]any{store.IntField: 1, store.TextField: "x", store.BoolField: true}[f.Kind]
			for _, q := range []map[string]any{{path: value}, {path + "__isnull": true}} {
				if _, err := run(t.Context(), q); err != nil {
					t.Errorf("%s.filter(%v): %v", e.Model, q, err)
				}
			}
		}
	}
	if len(filters) != 0 {
		t.Fatalf("entities not declared: %v", filters)
	}
	rows, err := st.FilterPriorities(t.Context(), map[string]any{"is_active": true, "value__startswith": "P"})
	if err != nil || len(rows) != 5 || rows[4] != (store.Priority{ID: 5, Value: "P5", IsActive: true}) {
		t.Fatalf("seeded priorities: %+v %v", rows, err)
	}
}

// count adapts a Filter method to one that returns the number of rows.
func count[T any](fn func(context.Context, map[string]any) ([]T, error)) func(context.Context, map[string]any) (int, error) {
	return func(ctx context.Context, q map[string]any) (int, error) {
		rows, err := fn(ctx, q)
		return len(rows), err
	}
}
