package rpc

import (
	"encoding/json"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
)

// mustDB opens a plain connection to the server's database, for setting up
// grants before the server caches anyone's permissions and for checks.
func (ts *testServer) mustDB() *pgx.Conn {
	ts.t.Helper()
	conn, err := pgx.Connect(ts.t.Context(), ts.DBURL)
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.t.Cleanup(func() { conn.Close(ts.t.Context()) })
	return conn
}

func mustExec(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(t.Context(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

func grantCount(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM object_permissions").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestObjectPermission(t *testing.T) {
	ts := mustServer(t)
	ctx := t.Context()
	if _, err := ts.Store.RefreshPermissions(ctx); err != nil {
		t.Fatal(err)
	}
	conn := ts.mustDB()
	// granter may manage grants and holds one viewable label unbound.
	granter, err := ts.Store.CreateUser(ctx, store.System, store.NewUser{Username: "granter", Password: "granter-pass-1", Groups: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, conn, `INSERT INTO user_permissions (user_id, permission_id)
		SELECT $1, id FROM permissions WHERE app_label || '.' || codename = ANY ($2)`,
		granter.ID, []string{"tcms.add_objectpermission", "tcms.view_objectpermission", "testcases.view_testcase"})
	mustExec(t, conn, "INSERT INTO groups (name) VALUES ('qa')")
	admin := []string{"Authorization", "Bearer " + ts.login(adminName, adminPass)}
	tester := []string{"Authorization", "Bearer " + ts.login(userName, userPass)}
	asGranter := []string{"Authorization", "Bearer " + ts.login("granter", "granter-pass-1")}
	mustCases(t, ts.as(adminName, adminPass), 12)

	t.Run("OKJSON", func(t *testing.T) {
		values := map[string]any{"user": userName, "permission": "testcases.view_testcase", "object_type": "TestCase", "object_id": "12"}
		r := ts.jsonCall("ObjectPermission.grant", []any{values}, admin...)
		if r.Error != nil {
			t.Fatal(r.Error.Message)
		}
		var g map[string]any
		json.Unmarshal(r.Result, &g)
		if g["user__username"] != userName || g["group"] != nil || g["group__name"] != nil || g["permission"] != "testcases.view_testcase" ||
			g["object_type"] != "TestCase" || g["object_id"] != float64(12) {
			t.Fatalf("got %s", r.Result)
		}
		again := ts.jsonCall("ObjectPermission.grant", []any{values}, admin...)
		if again.Error != nil || string(again.Result) != string(r.Result) {
			t.Fatalf("idempotent grant: got %s %+v, want %s", again.Result, again.Error, r.Result)
		}
		f := ts.jsonCall("ObjectPermission.filter", []any{map[string]any{"object_type": "TestCase"}}, admin...)
		if f.Error != nil || string(f.Result) != "["+string(r.Result)+"]" {
			t.Fatalf("filter: got %s %+v", f.Result, f.Error)
		}
		rv := ts.jsonCall("ObjectPermission.revoke", []any{values}, admin...)
		if rv.Error != nil || string(rv.Result) != `{"removed":1}` {
			t.Fatalf("revoke: got %s %+v", rv.Result, rv.Error)
		}
		rv = ts.jsonCall("ObjectPermission.revoke", []any{values}, admin...)
		if rv.Error != nil || string(rv.Result) != `{"removed":0}` {
			t.Fatalf("second revoke: got %s %+v", rv.Result, rv.Error)
		}
	})
	t.Run("OKXML", func(t *testing.T) {
		c := ts.xmlClient()
		var token string
		if err := c.Call("Auth.login", []any{adminName, adminPass}, &token); err != nil {
			t.Fatal(err)
		}
		var g map[string]any
		bug := mustBugRow(t, conn, "P")
		values := map[string]any{"group": "qa", "permission": "bugs.view_bug", "object_type": "Bug", "object_id": bug}
		missing := map[string]any{"group": "qa", "permission": "bugs.view_bug", "object_type": "Bug", "object_id": bug + 1}
		if err := c.Call("ObjectPermission.grant", []any{missing}, &g); err == nil || err.Error() != "Fault(-32603): Internal error: object_id: Bug "+itoa(bug+1)+" does not exist." {
			t.Fatalf("grant on a missing bug: %v", err)
		}
		if err := c.Call("ObjectPermission.grant", []any{values}, &g); err != nil {
			t.Fatal(err)
		}
		if g["group__name"] != "qa" || g["user"] != nil || g["permission"] != "bugs.view_bug" || g["object_id"] != bug {
			t.Fatalf("got %v", g)
		}
		var list []map[string]any
		if err := c.Call("ObjectPermission.filter", []any{map[string]any{"group__name": "qa"}}, &list); err != nil || len(list) != 1 || list[0]["id"] != g["id"] {
			t.Fatalf("filter: got %v %v", list, err)
		}
		var removed map[string]any
		if err := c.Call("ObjectPermission.revoke", []any{values}, &removed); err != nil || removed["removed"] != int64(1) {
			t.Fatalf("revoke: got %v %v", removed, err)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		before := grantCount(t, conn)
		values := map[string]any{"user": userName, "permission": "testcases.view_testcase", "object_type": "TestCase", "object_id": 1}
		for method, label := range map[string]string{"grant": "tcms.add_objectpermission", "revoke": "tcms.delete_objectpermission", "filter": "tcms.view_objectpermission"} {
			name := "ObjectPermission." + method
			wantFault(t, ts.jsonCall(name, []any{values}, tester...), CodeAuth,
				`Authentication failed when calling "`+name+`": permission `+label+` required`)
		}
		if grantCount(t, conn) != before {
			t.Fatal("a refused call wrote a grant")
		}
	})
	t.Run("ErrEscalation", func(t *testing.T) {
		before := grantCount(t, conn)
		values := map[string]any{"user": userName, "permission": "testplans.view_testplan", "object_type": "TestPlan", "object_id": 1}
		wantFault(t, ts.jsonCall("ObjectPermission.grant", []any{values}, asGranter...), CodeInternal,
			"Internal error: You cannot grant a permission you do not hold: testplans.view_testplan")
		if grantCount(t, conn) != before {
			t.Fatal("a refused grant was written")
		}
		values = map[string]any{"user": userName, "permission": "testcases.view_testcase", "object_type": "TestCase", "object_id": 1}
		if r := ts.jsonCall("ObjectPermission.grant", []any{values}, asGranter...); r.Error != nil {
			t.Fatalf("a held label: %s", r.Error.Message)
		}
	})
	bad := []struct {
		name   string
		values map[string]any
		code   int
		msg    string
	}{
		{"ErrBoth", map[string]any{"user": 1, "group": "qa", "permission": "bugs.view_bug", "object_type": "Bug", "object_id": 1}, CodeInternal,
			"Internal error: Give exactly one of user and group."},
		{"ErrNeither", map[string]any{"permission": "bugs.view_bug", "object_type": "Bug", "object_id": 1}, CodeInternal,
			"Internal error: Give exactly one of user and group."},
		{"ErrUnknownLabel", map[string]any{"user": userName, "permission": "bugs.view_bugs", "object_type": "Bug", "object_id": 1}, CodeInternal,
			`Internal error: Unknown permission: "bugs.view_bugs"`},
		{"ErrLabelType", map[string]any{"user": userName, "permission": "bugs.view_bug", "object_type": "TestRun", "object_id": 1}, CodeInternal,
			"Internal error: permission: bugs.view_bug does not apply to a TestRun; use one of testruns.view_testrun, testruns.change_testrun, testruns.delete_testrun."},
		{"ErrType", map[string]any{"user": userName, "permission": "bugs.view_bug", "object_type": "bug", "object_id": 1}, CodeInternal,
			`Internal error: object_type: Select a valid choice. "bug" is not one of Bug, TestCase, TestPlan, TestRun, User.`},
		{"ErrNoUser", map[string]any{"user": "ghost", "permission": "bugs.view_bug", "object_type": "Bug", "object_id": 1}, CodeInternal,
			"Internal error: User matching query does not exist."},
		{"ErrNoGroup", map[string]any{"group": 999999, "permission": "bugs.view_bug", "object_type": "Bug", "object_id": 1}, CodeInternal,
			"Internal error: Group matching query does not exist."},
		{"ErrNoObject", map[string]any{"user": userName, "permission": "auth.view_user", "object_type": "User", "object_id": 999999}, CodeInternal,
			"Internal error: object_id: User 999999 does not exist."},
		{"ErrObjectID", map[string]any{"user": userName, "permission": "bugs.view_bug", "object_type": "Bug", "object_id": "x"}, CodeInvalidParams,
			`Invalid parameters: object_id: expected an integer, got "x"`},
		{"ErrMissingKey", map[string]any{"user": userName, "permission": "bugs.view_bug", "object_id": 1}, CodeInvalidParams,
			`Invalid parameters: missing required argument "object_type"`},
		{"ErrUnknownKey", map[string]any{"user": userName, "permission": "bugs.view_bug", "object_type": "Bug", "object_id": 1, "owner": 1}, CodeInvalidParams,
			`Invalid parameters: unexpected keyword argument "owner"`},
		{"ErrUserType", map[string]any{"user": true, "permission": "bugs.view_bug", "object_type": "Bug", "object_id": 1}, CodeInvalidParams,
			"Invalid parameters: user: expected an id or a name, got true"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			before := grantCount(t, conn)
			r := ts.jsonCall("ObjectPermission.grant", []any{c.values}, admin...)
			if r.Error == nil || r.Error.Code != c.code || r.Error.Message != c.msg {
				t.Fatalf("want %d %q, got %s %+v", c.code, c.msg, r.Result, r.Error)
			}
			if grantCount(t, conn) != before {
				t.Fatal("a refused grant was written")
			}
		})
	}
	t.Run("ErrFilterKey", func(t *testing.T) {
		wantFault(t, ts.jsonCall("ObjectPermission.filter", []any{map[string]any{"object": 1}}, admin...), CodeInternal,
			"Internal error: Cannot resolve keyword 'object' into field. Choices are: group, group_id, id, object_id, object_type, permission, user, user_id.")
	})
	t.Run("OKFilterNoQuery", func(t *testing.T) {
		// Only the grant made by granter in ErrEscalation is left.
		r := ts.jsonCall("ObjectPermission.filter", nil, admin...)
		var list []store.ObjectGrant
		json.Unmarshal(r.Result, &list)
		if r.Error != nil || len(list) != 1 || *list[0].Username != userName || list[0].ObjectID != 1 {
			t.Fatalf("got %s %+v", r.Result, r.Error)
		}
	})
}
