package rpc

import (
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

func TestUserFilter(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	var got []store.User
	result(t, admin("User.filter"), &got)
	if len(got) != 1 || got[0].Username != adminName {
		t.Fatalf("empty query: want only the caller, got %+v", got)
	}
	for _, c := range []struct {
		query map[string]any
		want  string
	}{
		{map[string]any{"groups__name": "Tester"}, "admin,tester"},
		{map[string]any{"email__endswith": "@example.com", "is_superuser": false}, "tester"},
		{map[string]any{"is_active": true, "username__in": []any{"tester", "ghost"}}, "tester"},
		{map[string]any{"pk": "1"}, "admin"},
	} {
		r := admin("User.filter", c.query)
		result(t, r, &got)
		var names []string
		for _, u := range got {
			names = append(names, u.Username)
		}
		if strings.Join(names, ",") != c.want {
			t.Fatalf("%v: got %v", c.query, names)
		}
		if strings.Contains(string(r.Result), "password") {
			t.Fatalf("a reply carries a password: %s", r.Result)
		}
	}
	wantFault(t, admin("User.filter", map[string]any{"password__startswith": "argon"}), CodeInvalidRequest, "Invalid request: Unsupported field")
	wantFault(t, admin("User.filter", map[string]any{"nope": 1}), CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field.")
	wantFault(t, admin("User.filter", map[string]any{"id": "x"}), CodeInternal, "Internal error: Field 'id' expected a number but got 'x'.")
	wantFault(t, ts.as(userName, userPass)("User.filter"), CodeAuth, `Authentication failed when calling "User.filter": permission auth.view_user required`)
}

func TestUserGet(t *testing.T) {
	ts := mustServer(t)
	tester := ts.as(userName, userPass)
	var u store.User
	result(t, tester("User.get", 2), &u) // oneself
	if u.Username != userName {
		t.Fatalf("got %+v", u)
	}
	wantFault(t, tester("User.get", 1), CodeAuth, `Authentication failed when calling "User.get": permission auth.view_user required`)
	admin := store.Principal{UserID: 1, Username: adminName, IsSuperuser: true}
	if _, err := ts.Store.GrantObject(t.Context(), admin, store.ObjectGrantSpec{Username: userName, Permission: "auth.view_user", ObjectType: "User", ObjectID: 1}); err != nil {
		t.Fatal(err)
	}
	result(t, tester("User.get", 1), &u) // by an object grant
	if u.Username != adminName {
		t.Fatalf("got %+v", u)
	}
	wantFault(t, ts.as(adminName, adminPass)("User.get", 999), CodeInternal, "Internal error: User matching query does not exist.")
	wantFault(t, tester("User.get", "x"), CodeInvalidParams, "Invalid parameters: user_id: expected an integer")
}

func TestUserUpdate(t *testing.T) {
	ts := mustServer(t)
	tester := ts.as(userName, userPass)
	admin := ts.as(adminName, adminPass)
	var u store.User
	result(t, tester("User.update", nil, map[string]any{"first_name": "Tess", "last_name": "", "email": "new email"}), &u)
	if u.FirstName != "Tess" || u.Email != "new email" || u.Username != userName {
		t.Fatalf("got %+v", u)
	}
	cases := []struct {
		call   func(string, ...any) jsonResponse
		params []any
		msg    string
	}{
		{tester, []any{1, map[string]any{"first_name": "x"}}, "Permission denied"},
		{tester, []any{nil, map[string]any{"password": "new-pass-1"}}, "Old password is required"},
		{tester, []any{nil, map[string]any{"password": "new-pass-1", "old_password": "wrong"}}, "Password is incorrect"},
		{admin, []any{999, map[string]any{"first_name": "x"}}, "User matching query does not exist."},
		{tester, []any{nil, map[string]any{"is_locked": false}}, "Permission denied"},
		{admin, []any{2, map[string]any{"is_locked": true}}, "is_locked: Only false (unlock) can be set"},
	}
	for _, c := range cases {
		wantFault(t, c.call("User.update", c.params...), CodeInternal, "Internal error: "+c.msg)
	}
	result(t, admin("User.update", 2, map[string]any{"is_locked": false}), &u)
	result(t, tester("User.update", 0, map[string]any{"password": "new-pass-1", "old_password": userPass}), &u)
	ts.login(userName, "new-pass-1")
	// An administrator sets another user's password without the old one.
	result(t, admin("User.update", 2, map[string]any{"password": "set-by-admin-1"}), &u)
	ts.login(userName, "set-by-admin-1")
	wantFault(t, admin("User.update", 2, map[string]any{"username": "x", "nick": 1}), CodeInvalidParams,
		"Invalid parameters: unknown key(s) in values: nick, username; known keys are first_name, last_name, email, password, old_password, is_active, is_locked, is_staff, is_superuser")
}

func TestUserDeactivateAndJoin(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	if _, err := ts.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: "leaver", Password: "leaver-pass-1"}); err != nil {
		t.Fatal(err)
	}
	leaver := ts.as("leaver", "leaver-pass-1")
	wantFault(t, leaver("User.deactivate", map[string]any{"username": adminName}), CodeAuth, `Authentication failed when calling "User.deactivate"`)

	var got []store.User
	result(t, admin("User.deactivate", map[string]any{"username": "leaver"}), &got)
	if len(got) != 1 || got[0].IsActive || got[0].IsStaff {
		t.Fatalf("got %+v", got)
	}
	wantFault(t, leaver("KiwiTCMS.version"), CodeAuth, `Authentication failed when calling "KiwiTCMS.version"`)
	wantFault(t, ts.jsonCall("Auth.login", []any{"leaver", "leaver-pass-1"}), CodeInternal, "Internal error: Wrong username or password")
	wantFault(t, admin("User.deactivate"), CodeInvalidParams, "Invalid parameters: expected 1 parameter, got 0")

	result(t, admin("User.join_group", userName, "Administrator"), new(any))
	var perms []store.PermissionSource
	result(t, admin("User.permissions", userName), &perms)
	held := map[string]bool{}
	for _, p := range perms {
		held[p.Permission] = true
	}
	if len(held) != len(store.Catalogue()) {
		t.Fatalf("a member of Administrator holds every label, got %d", len(held))
	}
	wantFault(t, admin("User.join_group", "ghost", "Tester"), CodeInternal, "Internal error: User matching query does not exist.")
	wantFault(t, admin("User.join_group", userName, "Ghosts"), CodeInternal, "Internal error: Group matching query does not exist.")
}

func TestUserCreate(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	var u store.User
	r := admin("User.create", map[string]any{"username": "bot", "email": "bot@example.com", "password": "bot-pass-1", "groups": []any{"Tester"}})
	result(t, r, &u)
	if u.Username != "bot" || !u.IsActive || u.IsSuperuser || strings.Contains(string(r.Result), "password") {
		t.Fatalf("got %s", r.Result)
	}
	ts.login("bot", "bot-pass-1")
	result(t, admin("User.create", map[string]any{"username": "nopass", "is_active": "false"}), &u)
	if u.IsActive {
		t.Fatal("is_active false ignored")
	}
	for params, msg := range map[string]map[string]any{
		"username: This field is required.":       {"email": "x@example.com"},
		"User with this Username already exists.": {"username": "bot"},
		`groups: Group "Ghosts" does not exist.`:  {"username": "b2", "groups": []any{"Ghosts"}},
		"is_staff: Enter a valid boolean.":        {"username": "b3", "is_staff": "maybe"},
	} {
		wantFault(t, admin("User.create", msg), CodeInternal, "Internal error: "+params)
	}
	wantFault(t, ts.as(userName, userPass)("User.create", map[string]any{"username": "sneaky"}), CodeAuth,
		`Authentication failed when calling "User.create": permission auth.add_user required`)
	if _, err := ts.Store.UserPermissions(t.Context(), "sneaky"); err == nil {
		t.Fatal("a refused User.create wrote a user")
	}
}

func TestPermissionFilter(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	var got []store.PermissionRow
	result(t, admin("Permission.filter"), &got)
	if len(got) != len(store.Catalogue()) {
		t.Fatalf("got %d labels", len(got))
	}
	result(t, admin("Permission.filter", map[string]any{"content_type__app_label": "auth", "codename__startswith": "view_"}), &got)
	if len(got) != 3 || got[0].Label != "auth.view_group" {
		t.Fatalf("got %+v", got)
	}
	result(t, admin("Permission.filter", map[string]any{"group__name": "Tester"}), &got)
	if len(got) != 189 {
		t.Fatalf("Tester: got %d", len(got))
	}
	wantFault(t, admin("Permission.filter", map[string]any{"app": 1}), CodeInternal, "Internal error: Cannot resolve keyword 'app' into field.")
	wantFault(t, ts.as(userName, userPass)("Permission.filter"), CodeAuth, `Authentication failed when calling "Permission.filter": permission auth.view_permission required`)
}
