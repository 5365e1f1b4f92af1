package rpc

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

// as returns a caller that makes JSON-RPC calls with a user's Bearer token.
func (ts *testServer) as(user, pass string) func(method string, params ...any) jsonResponse {
	token := ts.login(user, pass)
	return func(method string, params ...any) jsonResponse {
		ts.t.Helper()
		return ts.jsonCall(method, params, "Authorization", "Bearer "+token)
	}
}

// result decodes a successful reply into v.
func result(t *testing.T, r jsonResponse, v any) {
	t.Helper()
	if r.Error != nil {
		t.Fatalf("fault %d %s", r.Error.Code, r.Error.Message)
	}
	if err := json.Unmarshal(r.Result, v); err != nil {
		t.Fatalf("%v in %s", err, r.Result)
	}
}

func TestGroupProvisioning(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	var g store.Group
	result(t, admin("Group.create", map[string]any{"name": "CI bots"}), &g)
	if g.ID == 0 || g.Name != "CI bots" {
		t.Fatalf("created %+v", g)
	}
	ci := []any{"testruns.add_testexecution", "testruns.change_testexecution"}

	t.Run("Permissions", func(t *testing.T) {
		for i := 0; i < 2; i++ { // granting twice is no error
			result(t, admin("Group.add_permission", g.ID, ci), new(any))
		}
		var got []string
		result(t, admin("Group.permissions", g.ID), &got)
		if !slices.Equal(got, []string{"testruns.add_testexecution", "testruns.change_testexecution"}) {
			t.Fatalf("got %v", got)
		}
		result(t, admin("Group.remove_permission", g.ID, "testruns.add_testexecution"), new(any))
		result(t, admin("Group.permissions", g.ID), &got)
		if !slices.Equal(got, []string{"testruns.change_testexecution"}) {
			t.Fatalf("after remove: %v", got)
		}
	})
	t.Run("Users", func(t *testing.T) {
		result(t, admin("Group.add_user", g.ID, []any{userName, "1"}), new(any))
		var got []store.GroupUser
		result(t, admin("Group.users", g.ID), &got)
		if len(got) != 2 || got[0].Username != adminName || got[1].Username != userName {
			t.Fatalf("got %+v", got)
		}
		result(t, admin("Group.remove_user", g.ID, adminName), new(any))
		result(t, admin("Group.users", g.ID), &got)
		if len(got) != 1 {
			t.Fatalf("after remove: %+v", got)
		}
	})
	t.Run("Rename", func(t *testing.T) {
		var r store.Group
		result(t, admin("Group.update", g.ID, map[string]any{"name": "CI robots"}), &r)
		if r.Name != "CI robots" {
			t.Fatalf("got %+v", r)
		}
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		cases := []struct {
			method string
			params []any
			code   int
			msg    string
		}{
			{"Group.create", []any{map[string]any{}}, CodeInternal, "Internal error: name: This field is required."},
			{"Group.create", []any{map[string]any{"name": "CI robots"}}, CodeInternal, "Internal error: Group with this Name already exists."},
			{"Group.create", []any{map[string]any{"name": []any{}}}, CodeInternal, "Internal error: name: Enter a valid value."},
			{"Group.permissions", []any{999}, CodeInternal, "Internal error: Group matching query does not exist."},
			{"Group.permissions", []any{"x"}, CodeInvalidParams, "Invalid parameters: group_id: expected an integer"},
			{"Group.users", []any{999}, CodeInternal, "Internal error: Group matching query does not exist."},
			{"Group.add_permission", []any{g.ID, "nope.nope"}, CodeInternal, `Internal error: Unknown permission: nope.nope`},
			{"Group.add_permission", []any{g.ID, nil}, CodeInternal, `Internal error: permissions: This field is required.`},
			{"Group.add_user", []any{g.ID, "ghost"}, CodeInternal, `Internal error: Unknown user: "ghost"`},
			{"Group.add_user", []any{g.ID, 999}, CodeInternal, `Internal error: Unknown user_id: "999"`},
			{"Group.add_user", []any{999, 1}, CodeInternal, `Internal error: Group matching query does not exist.`},
			{"Group.remove", []any{999}, CodeInternal, "Internal error: Group matching query does not exist."},
		}
		for _, c := range cases {
			wantFault(t, admin(c.method, c.params...), c.code, c.msg)
		}
	})
	t.Run("DefaultGroupsStay", func(t *testing.T) {
		for _, name := range []string{store.AdministratorGroup, store.TesterGroup} {
			names, err := ts.Store.GroupNames(t.Context(), []any{name})
			if err != nil || names[0] != name {
				t.Fatal(err)
			}
		}
		wantFault(t, admin("Group.remove", 1), CodeInternal, "Internal error: The Administrator group cannot be deleted.")
		wantFault(t, admin("Group.update", 2, map[string]any{"name": "Testers"}), CodeInternal, "Internal error: The Tester group cannot be renamed.")
	})
	t.Run("Remove", func(t *testing.T) {
		result(t, admin("Group.remove", g.ID), new(any))
		wantFault(t, admin("Group.permissions", g.ID), CodeInternal, "Internal error: Group matching query does not exist.")
	})
	t.Run("ErrNoPermission", func(t *testing.T) {
		tester := ts.as(userName, userPass)
		wantFault(t, tester("Group.create", map[string]any{"name": "sneaky"}), CodeAuth,
			`Authentication failed when calling "Group.create": permission auth.add_group required`)
		if _, err := ts.Store.GroupNames(t.Context(), []any{"sneaky"}); err == nil {
			t.Fatal("the refused call wrote a group")
		}
	})
}

// TestNoEscalation: a group admin without superuser cannot join
// Administrator, grant labels it lacks, or make a superuser.
func TestNoEscalation(t *testing.T) {
	ts := mustServer(t)
	ctx := t.Context()
	root := store.Principal{UserID: 1, Username: adminName, IsSuperuser: true}
	if _, err := ts.Store.CreateUser(ctx, store.System, store.NewUser{Username: "gadmin", Password: "gadmin-pass-1", Groups: []string{}}); err != nil {
		t.Fatal(err)
	}
	held := []string{"auth.add_group", "auth.change_group", "auth.view_group", "auth.add_user", "auth.change_user", "auth.view_user"}
	if err := ts.Store.SetUserPermissions(ctx, root, "gadmin", held, true); err != nil {
		t.Fatal(err)
	}
	gadmin := ts.as("gadmin", "gadmin-pass-1")
	var g store.Group
	result(t, gadmin("Group.create", map[string]any{"name": "team"}), &g)

	cases := []struct {
		name   string
		method string
		params []any
		msg    string
	}{
		{"JoinAdministrator", "User.join_group", []any{"gadmin", "Administrator"}, "Only a superuser can change the members of Administrator."},
		{"AddToAdministrator", "Group.add_user", []any{1, "gadmin"}, "Only a superuser can change the members of Administrator."},
		{"GrantUnheldToGroup", "Group.add_permission", []any{g.ID, "auth.delete_group"}, "You cannot grant a permission you do not hold: auth.delete_group"},
		{"GrantUnheldToSelf", "User.add_permission", []any{"gadmin", []any{"auth.view_group", "testruns.add_testrun"}}, "You cannot grant a permission you do not hold: testruns.add_testrun"},
		{"ChangeAdministrator", "Group.add_permission", []any{1, "auth.view_group"}, "Only a superuser can change the Administrator group."},
		{"MakeSuperuser", "User.create", []any{map[string]any{"username": "evil", "is_superuser": true}}, "Only a superuser can create or change superusers, or set is_staff or is_superuser."},
		{"CreateInAdministrator", "User.create", []any{map[string]any{"username": "evil", "groups": []any{"Administrator"}}}, "Only a superuser can change the members of Administrator."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantFault(t, gadmin(c.method, c.params...), CodeInternal, "Internal error: "+c.msg)
		})
	}
	var perms []store.PermissionSource
	result(t, gadmin("User.permissions", "gadmin"), &perms)
	if len(perms) != len(held) {
		t.Fatalf("nothing may have been granted: %+v", perms)
	}
	var members []store.GroupUser
	result(t, gadmin("Group.users", 1), &members)
	if len(members) != 0 {
		t.Fatalf("Administrator gained members: %+v", members)
	}
	if _, err := ts.Store.UserPermissions(ctx, "evil"); err == nil || !strings.Contains(err.Error(), `Unknown user: "evil"`) {
		t.Fatalf("a refused User.create wrote a user: %v", err)
	}
	// Held labels can be granted, and the superuser can do all of it.
	result(t, gadmin("Group.add_permission", g.ID, "auth.view_group"), new(any))
	result(t, ts.as(adminName, adminPass)("User.join_group", "gadmin", "Administrator"), new(any))
}
