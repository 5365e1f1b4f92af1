package store_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// sample is a value every field of the kind accepts.
var sample = map[store.FieldKind]any{
	store.IntField: 1, store.TextField: "x", store.BoolField: true,
	store.TimeField: "2021-02-25 12:00:00", store.FloatField: 1.5,
}

// TestEntityPaths runs, on the real schema, the subquery through which a
// relation reaches every entity by each of its fields, by each of its
// relations (the id, <fk>_id, and a field of the related entity), and
// through isnull: every From, Join, Exists and Expr must fit together,
// and every relation must lead to a declared entity.
func TestEntityPaths(t *testing.T) {
	conn, err := pgx.Connect(t.Context(), storetest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	for _, e := range store.Entities() {
		if e.From == "" {
			t.Errorf("%s: no From", e.Model)
			continue
		}
		query := map[string]any{}
		for path, f := range e.Fields {
			query[path] = sample[f.Kind]
			query[path+"__isnull"] = true
		}
		for name, r := range e.Relations {
			to := store.EntityByModel(r.To)
			if to == nil || to.Fields["id"].Expr == "" {
				t.Errorf("%s.%s leads to %q, which is not an entity with an id", e.Model, name, r.To)
				continue
			}
			if _, dup := e.Fields[name]; dup {
				t.Errorf("%s.%s is a field and a relation", e.Model, name)
			}
			query[name] = 1
			query[name+"__pk__in"] = []any{1, 2}
			if r.Exists == "" && r.Join == "" {
				query[name+"_id"] = 1
			}
			// One field of the related entity, and its isnull through the
			// relation.
			paths := slices.Sorted(maps.Keys(to.Fields))
			far := paths[len(paths)-1]
			query[name+"__"+far] = sample[to.Fields[far].Kind]
			query[name+"__"+far+"__isnull"] = true
		}
		for key, value := range query {
			sql, args, err := e.Match(key, value)
			if err != nil {
				t.Errorf("%s: %s: %v", e.Model, key, err)
				continue
			}
			if _, err := conn.Exec(t.Context(), sql+" LIMIT 0", args...); err != nil {
				t.Errorf("%s: %s: %v\n%s", e.Model, key, err, sql)
			}
		}
	}
}

// TestRelationChoices checks that unknown keys list the relations and
// foreign key attnames of the entity they were looked up in.
func TestRelationChoices(t *testing.T) {
	e := store.EntityByModel("Build")
	_, _, err := e.Where(map[string]any{"version__nope": 1}, 1)
	if err == nil || !strings.Contains(err.Error(), "Choices are: bug, build, id, plans, product, product_id, value.") {
		t.Fatalf("got %v", err)
	}
}
