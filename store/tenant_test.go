package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tcms/tcms"
	"github.com/tcms/tcms/store"
)

// MustTenant creates a tenant owned by owner and logs how long it took.
func MustTenant(t *testing.T, st *store.Store, schema string, owner int64) store.Tenant {
	t.Helper()
	start := time.Now()
	tn, err := st.CreateTenant(t.Context(), store.NewTenant{SchemaName: schema, Name: "Org " + schema, Owner: owner})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tenant %s created in %v", schema, time.Since(start).Round(time.Millisecond))
	return tn
}

func classificationNames(t *testing.T, st *store.Store, ctx context.Context) []string {
	t.Helper()
	cs, err := st.FilterClassifications(ctx, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return names
}

// TestPreparedStatementsFollowTenant: one pooled connection serving A, B,
// then A again runs the same (cached, prepared) statement against each
// tenant's own tables.
func TestPreparedStatementsFollowTenant(t *testing.T) {
	t.Parallel()
	_, _, u := MustOpen(t)
	st, err := store.Open(t.Context(), u+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	owner := MustCreateUser(t, st, "owner")
	MustTenant(t, st, "alpha", owner.ID)
	MustTenant(t, st, "beta", owner.ID)
	a, b := store.WithTenant(t.Context(), "alpha"), store.WithTenant(t.Context(), "beta")
	for ctx, name := range map[context.Context]string{a: "only-alpha", b: "only-beta", t.Context(): "only-public"} {
		if _, err := st.CreateClassification(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	for i, step := range []struct {
		ctx  context.Context
		want string
	}{{a, "only-alpha"}, {b, "only-beta"}, {a, "only-alpha"}, {t.Context(), "only-public"}, {b, "only-beta"}} {
		if got := classificationNames(t, st, step.ctx); !slices.Equal(got, []string{step.want}) {
			t.Fatalf("step %d: got %v, want [%s]", i, got, step.want)
		}
	}
}

// TestRemovedTenantNeverFallsThrough keeps a connection set to a tenant
// while the tenant is removed: what it runs next must fail, not reach the
// public tenant's tables, and a new tenant of the same name starts empty.
func TestRemovedTenantNeverFallsThrough(t *testing.T) {
	t.Parallel()
	_, _, u := MustOpen(t)
	st, err := store.Open(t.Context(), u+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	owner := MustCreateUser(t, st, "owner")
	MustTenant(t, st, "gone", owner.ID)
	gone := store.WithTenant(t.Context(), "gone")
	for ctx, name := range map[context.Context]string{gone: "in-gone", t.Context(): "in-public"} {
		if _, err := st.CreateClassification(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	classificationNames(t, st, gone) // the one connection now serves "gone"
	if err := st.RemoveTenant(t.Context(), "gone"); err != nil {
		t.Fatal(err)
	}
	if got, err := st.FilterClassifications(gone, map[string]any{}); err == nil {
		t.Fatalf("a removed tenant answered %v", got)
	}
	if _, err := st.CreateClassification(gone, "written-after-removal"); err == nil {
		t.Fatal("a write to a removed tenant succeeded")
	}
	if got := classificationNames(t, st, t.Context()); !slices.Equal(got, []string{"in-public"}) {
		t.Fatalf("public tenant: %v", got)
	}
	MustTenant(t, st, "gone", owner.ID)
	if got := classificationNames(t, st, gone); len(got) != 0 {
		t.Fatalf("a new tenant of the removed one's name: %v", got)
	}
}

func TestTenantSchema(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	owner := MustCreateUser(t, st, "owner")
	MustTenant(t, st, "acme", owner.ID)

	t.Run("ForeignKeysReachSharedTables", func(t *testing.T) {
		var target string
		err := conn.QueryRow(ctx, `SELECT confrelid::regclass::text FROM pg_constraint
			WHERE conname = 'test_plans_author_id_fkey' AND connamespace = 'acme'::regnamespace`).Scan(&target)
		if err != nil || target != "users" {
			t.Fatalf("test_plans.author_id references %q (%v), want public users", target, err)
		}
		var shared int
		conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'acme' AND tablename IN ('users', 'permissions', 'tenants')`).Scan(&shared)
		if shared != 0 {
			t.Fatalf("%d shared tables copied into the tenant", shared)
		}
	})
	t.Run("OwnerHoldsTenantAdministrator", func(t *testing.T) {
		actx := store.WithTenant(ctx, "acme")
		p := store.Principal{UserID: owner.ID, Username: owner.Username}
		ok, err := st.Authorized(actx, p)
		if err != nil || !ok {
			t.Fatalf("owner authorised: %v %v", ok, err)
		}
		if missing, err := st.MissingPermission(actx, p, []string{"tcms_tenants.change_tenant", "testruns.add_testrun"}); missing != "" || err != nil {
			t.Fatalf("owner lacks %q (%v)", missing, err)
		}
		// In public the owner has no such grant.
		if missing, _ := st.MissingPermission(ctx, p, []string{"tcms_tenants.change_tenant"}); missing == "" {
			t.Fatal("tenant grants leak into public")
		}
	})
	t.Run("MigrateUpgradesTenants", func(t *testing.T) {
		if _, err := conn.Exec(ctx, "DROP TABLE acme.links"); err != nil {
			t.Fatal(err)
		}
		done, err := st.Migrate(ctx, tcms.Schema)
		if err != nil {
			t.Fatal(err)
		}
		if c := done["acme"]; len(done) != 1 || c == nil || fmt.Sprint(c.Tables) != "[links]" || len(c.Columns) != 0 ||
			!strings.HasPrefix(done.String(), "schema acme: created 1 table (links); 1 sequence (links_id_seq); ") {
			t.Fatalf("applied: %v", done)
		}
		var n int
		conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'acme' AND tablename = 'links'`).Scan(&n)
		if n != 1 {
			t.Fatal("migrate did not restore the tenant's table")
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, name := range []string{"public", "pg_x", "Acme", "1a", "information_schema", "a-b", ""} {
			if _, err := st.CreateTenant(ctx, store.NewTenant{SchemaName: name, Name: "x", Owner: owner.ID}); store.ErrorKind(err) != store.Invalid {
				t.Errorf("%q: %v", name, err)
			}
		}
		_, err := st.CreateTenant(ctx, store.NewTenant{SchemaName: "acme", Name: "again", Owner: owner.ID})
		if store.ErrorKind(err) != store.Conflict || err.Error() != "Tenant with this Schema name already exists." {
			t.Fatalf("duplicate: %v", err)
		}
	})
}
