package store_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

var root = store.Principal{UserID: 0, Username: "root", IsSuperuser: true}

func TestRefreshPermissions(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	count := func(group string) (n int) {
		t.Helper()
		err := conn.QueryRow(ctx, `SELECT count(*) FROM group_permissions gp JOIN groups g ON g.id = gp.group_id WHERE g.name = $1`, group).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Kiwi's Tester set is 189 labels; Administrator holds every label.
	if n := count(store.TesterGroup); n != 189 {
		t.Fatalf("Tester holds %d labels, want 189", n)
	}
	if n := count(store.AdministratorGroup); n != len(store.Catalogue()) {
		t.Fatalf("Administrator holds %d labels, want %d", n, len(store.Catalogue()))
	}
	// A stale label goes.
	if _, err := conn.Exec(ctx, `INSERT INTO permissions (app_label, codename, name) VALUES ('old', 'gone', 'x')`); err != nil {
		t.Fatal(err)
	}
	removed, err := st.RefreshPermissions(ctx)
	if err != nil || removed != 1 {
		t.Fatalf("removed %d, err %v", removed, err)
	}
	if !store.KnownPermission("testruns.change_testexecution") || store.KnownPermission("old.gone") {
		t.Fatal("KnownPermission")
	}
}

// TestRefreshKeepsCustomisations: migrate and refresh-permissions give the
// default groups, shared and of every tenant, only default labels they
// never received; what an administrator granted or took stays.
func TestRefreshKeepsCustomisations(t *testing.T) {
	t.Parallel()
	st, conn, _ := MustOpen(t)
	ctx := t.Context()
	owner := MustCreateUser(t, st, "owner")
	if _, err := st.CreateTenant(ctx, store.NewTenant{SchemaName: "acme", Name: "ACME", Owner: owner.ID}); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	for _, scope := range []struct{ name, groups, grants, records string }{
		{"public", "public.groups", "public.group_permissions", "public.group_default_grants"},
		{"tenant", "acme.tenant_groups", "acme.tenant_group_permissions", "acme.tenant_group_default_grants"},
	} {
		t.Run(scope.name, func(t *testing.T) {
			holds := func(label string) bool {
				t.Helper()
				var ok bool
				err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+scope.grants+` gp JOIN `+scope.groups+` g ON g.id = gp.group_id
					JOIN permissions p ON p.id = gp.permission_id WHERE g.name = 'Tester' AND p.app_label || '.' || p.codename = $1)`, label).Scan(&ok)
				if err != nil {
					t.Fatal(err)
				}
				return ok
			}
			const taken, granted, added = "testcases.delete_testcase", "auth.view_user", "testruns.delete_testrun"
			tester := `(SELECT id FROM ` + scope.groups + ` WHERE name = 'Tester')`
			perm := func(l string) string {
				return `(SELECT id FROM permissions WHERE app_label || '.' || codename = '` + l + `')`
			}
			if !holds(taken) || holds(granted) {
				t.Fatal("Tester does not start with its defaults")
			}
			// An administrator takes one default label and grants another one.
			exec(`DELETE FROM ` + scope.grants + ` WHERE group_id = ` + tester + ` AND permission_id = ` + perm(taken))
			exec(`INSERT INTO ` + scope.grants + ` VALUES (` + tester + `, ` + perm(granted) + `)`)
			// A label new in this version: neither held nor received.
			exec(`DELETE FROM ` + scope.grants + ` WHERE group_id = ` + tester + ` AND permission_id = ` + perm(added))
			exec(`DELETE FROM `+scope.records+` WHERE group_id = `+tester+` AND label = $1`, added)
			if _, err := st.RefreshPermissions(ctx); err != nil {
				t.Fatal(err)
			}
			if holds(taken) || !holds(granted) || !holds(added) {
				t.Fatalf("after refresh: holds taken %v, granted %v, new %v", holds(taken), holds(granted), holds(added))
			}
			// An upgrade from a version that kept no record: what the group
			// holds counts as received, nothing is given back.
			exec(`DELETE FROM ` + scope.records + ` WHERE group_id = ` + tester)
			if _, err := st.RefreshPermissions(ctx); err != nil {
				t.Fatal(err)
			}
			var n int
			conn.QueryRow(ctx, `SELECT count(*) FROM `+scope.records+` WHERE group_id = `+tester).Scan(&n)
			if holds(taken) || n != 189 {
				t.Fatalf("after the upgrade: taken label back %v, %d labels recorded", holds(taken), n)
			}
		})
	}
}

func TestMissingPermission(t *testing.T) {
	t.Parallel()
	st, _, _ := MustOpen(t)
	ctx := t.Context()
	alice := MustCreateUser(t, st, "alice") // joins Tester
	p := store.Principal{UserID: alice.ID, Username: "alice"}
	check := func(label, want string) {
		t.Helper()
		got, err := st.MissingPermission(ctx, p, []string{label})
		if err != nil || got != want {
			t.Fatalf("%s: missing %q (%v), want %q", label, got, err, want)
		}
	}
	check("testcases.add_testcase", "")       // from Tester
	check("auth.view_user", "auth.view_user") // Tester has nothing from auth
	check("attachments.delete_foreign_attachments", "attachments.delete_foreign_attachments")
	if err := st.SetUserPermissions(ctx, root, alice.ID, []string{"auth.view_user"}, true); err != nil {
		t.Fatal(err)
	}
	check("auth.view_user", "") // direct
	if err := st.SetGroupMembers(ctx, root, store.TesterGroup, []any{"alice"}, false); err != nil {
		t.Fatal(err)
	}
	check("testcases.add_testcase", "testcases.add_testcase")
	if got, _ := st.MissingPermission(ctx, root, []string{"anything.at_all"}); got != "" {
		t.Fatal("a superuser holds every label")
	}
	if err := storetest.SetActive(ctx, st, alice.ID, false); err != nil {
		t.Fatal(err)
	}
	check("auth.view_user", "auth.view_user") // inactive users hold nothing

	sources, err := st.UserPermissions(ctx, alice.ID)
	if err != nil || len(sources) != 0 {
		t.Fatalf("inactive user: %v %v", sources, err)
	}
}

func TestUserPermissionSources(t *testing.T) {
	t.Parallel()
	st, _, _ := MustOpen(t)
	ctx := t.Context()
	bob := MustCreateUser(t, st, "bob")
	if err := st.SetUserPermissions(ctx, root, "bob", []string{"auth.view_user"}, true); err != nil {
		t.Fatal(err)
	}
	got, err := st.UserPermissions(ctx, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, store.PermissionSource{Permission: "auth.view_user", Source: "direct"}) ||
		!slices.Contains(got, store.PermissionSource{Permission: "testruns.add_testrun", Source: "group:Tester"}) {
		t.Fatalf("got %v", got)
	}
	for _, p := range got {
		if strings.HasPrefix(p.Permission, "auth.") && p.Source != "direct" {
			t.Fatalf("unexpected %v", p)
		}
	}
	_, err = st.UserPermissions(ctx, "nobody")
	wantError(t, err, store.Invalid, `Unknown user: "nobody"`)
}

// TestRevocationAcrossProcesses: a label revoked in one process stops
// working in another within a second, though the second caches sets.
func TestRevocationAcrossProcesses(t *testing.T) {
	t.Parallel()
	a, _, u := MustOpen(t)
	b := MustOpenAnother(t, u)
	ctx := t.Context()
	carol := MustCreateUser(t, a, "carol")
	p := store.Principal{UserID: carol.ID, Username: "carol"}
	label := []string{"testruns.change_testexecution"}
	if got, err := b.MissingPermission(ctx, p, label); err != nil || got != "" {
		t.Fatalf("before: %q %v", got, err)
	}
	if err := a.SetGroupPermissions(ctx, root, 2, label, false); err != nil { // Tester is group 2
		t.Fatal(err)
	}
	eventually(t, "label revoked in A refused by B", func() bool {
		got, _ := b.MissingPermission(ctx, p, label)
		return got == label[0]
	})
}
