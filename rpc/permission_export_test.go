package rpc

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

// exportLines returns "username permission source tenant" of the rows
// Permission.export gives for a query.
func exportLines(t *testing.T, call func(string, ...any) jsonResponse, query map[string]any) []string {
	t.Helper()
	var rows []store.Granted
	result(t, call("Permission.export", query), &rows)
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprint(r.Username, " ", r.Permission, " ", r.Source, " ", r.Tenant)
	}
	return out
}

func TestPermissionExport(t *testing.T) {
	b := mustTrustBed(t)
	result(t, b.admin("User.add_permission", "erin", "testruns.view_testrun"), new(any))

	t.Run("OKPublic", func(t *testing.T) {
		got := exportLines(t, b.call("mgr", "public"), map[string]any{"username__in": []string{"erin", "mgr", adminName}})
		if !slices.Contains(got, "erin testruns.view_testrun direct ") || !slices.Contains(got, "mgr auth.add_user group:Managers ") ||
			!slices.Contains(got, "admin tcms.view_objectpermission superuser ") {
			t.Fatalf("rows %q", got)
		}
		if n := len(exportLines(t, b.admin, map[string]any{"username": adminName})); n != len(store.Catalogue()) {
			t.Fatalf("a superuser has %d rows, want one per label", n)
		}
		var rows []map[string]any
		result(t, b.admin("Permission.export", map[string]any{"username": "erin"}), &rows)
		wantKeys(t, b.admin("Permission.export", map[string]any{"username": "erin"}), "email", "is_active", "is_superuser", "permission", "source", "tenant", "username")
		if rows[0]["is_active"] != true || rows[0]["email"] != "" {
			t.Fatalf("row %v", rows[0])
		}
	})
	t.Run("OKTenant", func(t *testing.T) {
		got := exportLines(t, b.call("dave", "tenant"), map[string]any{"username": "erin"})
		// erin is a Tester in a; her direct grant counts only at the public address.
		if len(got) == 0 || slices.Contains(got, "erin testruns.view_testrun direct a") {
			t.Fatalf("rows %q", got)
		}
		for _, l := range got {
			if !strings.HasSuffix(l, " group:Tester a") {
				t.Fatalf("row %q", l)
			}
		}
		// Only a's users: carol is authorised for none.
		if n := len(exportLines(t, b.aliceA, map[string]any{"username": "carol"})); n != 0 {
			t.Fatalf("carol has %d rows in a", n)
		}
	})
	t.Run("OKXMLRPC", func(t *testing.T) {
		var rows []map[string]any
		if err := b.xmlAt("/t/a", "alice", "alice-pass").Call("Permission.export", []any{map[string]any{"source": "group:Administrator", "username": "alice"}}, &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(store.Catalogue()) || rows[0]["tenant"] != "a" || rows[0]["is_superuser"] != false {
			t.Fatalf("%d rows, first %v", len(rows), rows[0])
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		wantFault(t, b.call("erin", "public")("Permission.export", map[string]any{}), CodeAuth, `Authentication failed when calling "Permission.export": permission auth.view_user required`)
		wantFault(t, b.call("mgr", "tenant")("Permission.export", map[string]any{}), CodeAuth, "Authentication failed")
	})
	t.Run("ErrInput", func(t *testing.T) {
		wantFault(t, b.admin("Permission.export", map[string]any{"password": "x"}), CodeInvalidRequest, "Invalid request: Unsupported field")
		wantFault(t, b.admin("Permission.export", map[string]any{"tenant": "a"}), CodeInternal, "Internal error: Cannot resolve keyword 'tenant' into field.")
	})
}
