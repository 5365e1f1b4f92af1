package store_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
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
	// A stale label goes, an edited default group is reset.
	if _, err := conn.Exec(ctx, `INSERT INTO permissions (app_label, codename, name) VALUES ('old', 'gone', 'x')`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `DELETE FROM group_permissions WHERE group_id = (SELECT id FROM groups WHERE name = 'Tester')`); err != nil {
		t.Fatal(err)
	}
	removed, err := st.RefreshPermissions(ctx)
	if err != nil || removed != 1 || count(store.TesterGroup) != 189 {
		t.Fatalf("removed %d, err %v, Tester %d", removed, err, count(store.TesterGroup))
	}
	if !store.KnownPermission("testruns.change_testexecution") || store.KnownPermission("old.gone") {
		t.Fatal("KnownPermission")
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
	if err := st.SetUserActive(ctx, alice.ID, false); err != nil {
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
