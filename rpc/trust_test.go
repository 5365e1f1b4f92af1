package rpc

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

// The escalation paths of issue 15, each refused with nothing written.

// refusedWith asserts a fault whose message contains part.
func refusedWith(t *testing.T, r jsonResponse, part string) {
	t.Helper()
	if r.Error == nil {
		t.Fatalf("want a refusal containing %q, got %s", part, r.Result)
	}
	if !strings.Contains(r.Error.Message, part) {
		t.Fatalf("want a refusal containing %q, got %d %s", part, r.Error.Code, r.Error.Message)
	}
}

// labelsOf returns the labels User.permissions lists for a user, as admin
// at the public address.
func (b *trustBed) labelsOf(t *testing.T, user string) []string {
	t.Helper()
	var ps []store.PermissionSource
	result(t, b.admin("User.permissions", user), &ps)
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Permission + " " + p.Source
	}
	return out
}

func (b *trustBed) userNamed(t *testing.T, name string) (store.User, bool) {
	t.Helper()
	var us []store.User
	result(t, b.admin("User.filter", map[string]any{"username": name}), &us)
	if len(us) == 0 {
		return store.User{}, false
	}
	return us[0], true
}

func TestTenantOwnerCannotReachGlobalAccounts(t *testing.T) {
	b := mustTrustBed(t)
	alice := b.aliceA
	testerBefore := strings.Join(b.groupLabels(t, 2), " ")

	refusedWith(t, alice("Group.add_permission", 2, "auth.view_user"), "permission auth.change_group required, held globally")
	if got := strings.Join(b.groupLabels(t, 2), " "); got != testerBefore {
		t.Fatal("the shared Tester group changed")
	}
	refusedWith(t, alice("User.add_permission", "alice", "auth.change_user"), "held globally")
	for _, l := range b.labelsOf(t, "alice") {
		if strings.HasPrefix(l, "auth.") {
			t.Fatalf("alice holds %s globally", l)
		}
	}
	refusedWith(t, alice("User.create", map[string]any{"username": "sock", "password": "sock-pass-1", "groups": []any{}}), "permission auth.add_user required, held globally")
	if _, ok := b.userNamed(t, "sock"); ok {
		t.Fatal("a refused User.create wrote a user")
	}
	for _, victim := range []string{adminName, "bob"} { // a superuser; another tenant's owner authorised for a
		refusedWith(t, alice("User.deactivate", map[string]any{"username": victim}), "held globally")
		refusedWith(t, alice("User.update", b.id[victim], map[string]any{"email": "owned@example.com"}), "needs auth.change_user")
		if u, _ := b.userNamed(t, victim); !u.IsActive || u.Email == "owned@example.com" {
			t.Fatalf("%s changed: %+v", victim, u)
		}
	}
	// Inside its tenant the owner still manages who works there and in
	// which of its groups.
	result(t, alice("User.join_group", "erin", store.AdministratorGroup), new(any))
	result(t, alice("Tenant.remove_authorized_user", "erin"), new(any))
}

// groupLabels lists a shared group's labels, as admin.
func (b *trustBed) groupLabels(t *testing.T, id int64) []string {
	t.Helper()
	var ls []string
	result(t, b.admin("Group.permissions", id), &ls)
	return ls
}

func TestNoEscalationThroughGroups(t *testing.T) {
	b := mustTrustBed(t)
	mgr := b.call("mgr", "public")
	const beyond = "You cannot put users in a group holding a permission you do not hold: "
	mgrBefore := strings.Join(b.labelsOf(t, "mgr"), ",")

	refusedWith(t, mgr("Group.add_user", 2, "mgr"), beyond)
	refusedWith(t, mgr("User.join_group", "mgr", store.TesterGroup), beyond)
	refusedWith(t, mgr("User.create", map[string]any{"username": "sock", "password": "sock-pass-1", "groups": []any{"Tester"}}), beyond)
	refusedWith(t, mgr("User.create", map[string]any{"username": "sock", "password": "sock-pass-1"}), beyond) // the default groups
	if got := strings.Join(b.labelsOf(t, "mgr"), ","); got != mgrBefore {
		t.Fatalf("mgr gained labels: %s", got)
	}
	if _, ok := b.userNamed(t, "sock"); ok {
		t.Fatal("a refused User.create wrote a user")
	}
	// Groups whose labels it holds are fine, and it may hand out its own.
	result(t, mgr("Group.add_user", b.empty, "erin"), new(any))
	result(t, mgr("User.create", map[string]any{"username": "helper", "groups": []any{"Empty"}}), new(any))

	// Inside a tenant: tom manages the tenant's groups and users but holds
	// nothing else there.
	if _, err := b.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: "tom", Password: "tom-pass", Groups: []string{}}); err != nil {
		t.Fatal(err)
	}
	result(t, b.aliceA("Tenant.add_authorized_user", "tom"), new(any))
	var g store.TenantGroup
	result(t, b.aliceA("TenantGroup.create", map[string]any{"name": "Managers"}), &g)
	result(t, b.aliceA("TenantGroup.add_permission", g.ID, []any{"tenant_groups.change_group", "tenant_groups.view_group",
		"auth.change_user", "tcms_tenants.change_tenant"}), new(any))
	result(t, b.aliceA("TenantGroup.add_user", g.ID, "tom"), new(any))
	result(t, b.aliceA("TenantGroup.remove_user", b.tenantGroupID(t, store.TesterGroup), "tom"), new(any))
	tom := b.at("/t/a", "tom", "tom-pass")
	admins := b.tenantGroupID(t, store.AdministratorGroup)
	refusedWith(t, tom("TenantGroup.add_user", admins, "tom"), beyond)
	refusedWith(t, tom("User.join_group", "tom", store.AdministratorGroup), beyond)
	refusedWith(t, tom("TenantGroup.add_permission", g.ID, "testcases.add_testcase"), "You cannot grant a permission you do not hold: testcases.add_testcase")
	refusedWith(t, tom("Tenant.add_authorized_user", "carol"), beyond) // carol would join a's Tester
	var members []store.TenantGroup
	result(t, b.aliceA("TenantGroup.filter", map[string]any{"id": admins}), &members)
	if slices := members[0].Users; len(slices) != 2 { // alice and dave
		t.Fatalf("a's Administrator group has members %v", slices)
	}
	refusedWith(t, b.at("/t/a", "carol", "carol-pass")("TestCase.filter", map[string]any{}), "not authorised for tenant a")
	// A tenant administrator the owner appointed cannot lock the owner out:
	// the owner holds every label in its tenant, whatever its groups.
	dave := b.call("dave", "tenant")
	result(t, dave("TenantGroup.remove_user", admins, "alice"), new(any))
	result(t, dave("TenantGroup.remove_permission", admins, []any{"tenant_groups.change_group", "tcms_tenants.change_tenant"}), new(any))
	result(t, b.aliceA("TenantGroup.add_permission", admins, []any{"tenant_groups.change_group", "tcms_tenants.change_tenant"}), new(any))
	result(t, b.aliceA("TenantGroup.add_user", admins, "alice"), new(any))
	// Users of other tenants are as unknown as users that do not exist.
	wantFault(t, dave("TenantGroup.add_user", admins, b.id["carol"]), CodeInternal, fmt.Sprintf(`Internal error: Unknown user_id: "%d"`, b.id["carol"]))
	wantFault(t, dave("TenantGroup.add_user", admins, "carol"), CodeInternal, `Internal error: Unknown user: "carol"`)
	wantFault(t, dave("User.join_group", "carol", "EmptyT"), CodeInternal, "Internal error: User matching query does not exist.")
}

// TestObjectGrantsCountAgainstEscalation: a group's or a user's object
// grants are labels it holds too.
func TestObjectGrantsCountAgainstEscalation(t *testing.T) {
	b := mustTrustBed(t)
	mgr := b.call("mgr", "public")
	var g store.Group
	result(t, b.admin("Group.create", map[string]any{"name": "Viewers"}), &g)
	grant := map[string]any{"group": "Viewers", "permission": "testruns.view_testrun", "object_type": "TestRun", "object_id": 1}
	if _, err := b.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: "ghost", Password: "ghost-pass", Groups: []string{}}); err != nil {
		t.Fatal(err)
	}
	result(t, b.admin("ObjectPermission.grant", grant), new(any))
	refusedWith(t, mgr("Group.add_user", g.ID, "mgr"), "You cannot put users in a group holding a permission you do not hold: testruns.view_testrun")
	refusedWith(t, mgr("User.join_group", "mgr", "Viewers"), "testruns.view_testrun")
	delete(grant, "group")
	grant["user"] = "ghost"
	result(t, b.admin("ObjectPermission.grant", grant), new(any))
	refusedWith(t, mgr("User.update", b.idOf(t, "ghost"), map[string]any{"password": "mine-now-1"}), "You cannot change ghost: it holds testruns.view_testrun")
}

func (b *trustBed) idOf(t *testing.T, name string) int64 {
	u, ok := b.userNamed(t, name)
	if !ok {
		t.Fatalf("no user %s", name)
	}
	return u.ID
}

// TestOldPasswordIsALogin: checking User.update's old_password counts as a
// login, so a stolen session cannot guess the password.
func TestOldPasswordIsALogin(t *testing.T) {
	b := mustTrustBed(t)
	var tok string
	result(t, b.at("/t/public", "", "")("Auth.login", "erin", "erin-pass"), &tok)
	erin := func(method string, params ...any) jsonResponse { // a stolen session
		body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": 1})
		_, text := b.post("/t/public/json-rpc/", "application/json", string(body), "Authorization", "Bearer "+tok)
		var r jsonResponse
		if err := json.Unmarshal([]byte(text), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	for range 5 {
		wantFault(t, erin("User.update", nil, map[string]any{"password": "new-pass-1", "old_password": "guess"}), CodeInternal, "Internal error: Password is incorrect")
	}
	// Five wrong in a row lock the account: the right one is refused too.
	wantFault(t, erin("User.update", nil, map[string]any{"password": "new-pass-1", "old_password": "erin-pass"}), CodeInternal, "Internal error: Password is incorrect")
}

func TestSuperusersProtected(t *testing.T) {
	b := mustTrustBed(t)
	mgr := b.call("mgr", "public")
	admin := b.id[adminName]
	const only = "Only a superuser can"
	for _, c := range []struct {
		method string
		params []any
	}{
		{"User.update", []any{admin, map[string]any{"email": "owned@example.com"}}},
		{"User.update", []any{admin, map[string]any{"first_name": "Owned"}}},
		{"User.update", []any{admin, map[string]any{"is_active": false}}},
		{"User.deactivate", []any{map[string]any{"username": adminName}}},
		{"User.add_permission", []any{adminName, "auth.view_user"}},
		{"User.remove_permission", []any{adminName, "auth.view_user"}},
		{"Group.add_user", []any{b.empty, adminName}},
		{"User.update", []any{b.id["erin"], map[string]any{"is_staff": true}}},
		{"User.create", []any{map[string]any{"username": "boss", "is_staff": true, "groups": []any{}}}},
		{"User.create", []any{map[string]any{"username": "boss", "is_superuser": true, "groups": []any{}}}},
	} {
		refusedWith(t, mgr(c.method, c.params...), only)
	}
	u, _ := b.userNamed(t, adminName)
	if !u.IsActive || u.Email != "admin@example.com" || u.FirstName != "" {
		t.Fatalf("the superuser changed: %+v", u)
	}
	if e, _ := b.userNamed(t, "erin"); e.IsStaff {
		t.Fatal("erin became staff")
	}
	if _, ok := b.userNamed(t, "boss"); ok {
		t.Fatal("a refused User.create wrote a user")
	}
	// A superuser may.
	result(t, b.admin("User.update", b.id["erin"], map[string]any{"is_staff": true}), new(any))
}

func TestReversibleLifecycle(t *testing.T) {
	b := mustTrustBed(t)
	mgr := b.call("mgr", "public")
	result(t, b.admin("Group.add_user", 2, "erin"), new(any))
	before := strings.Join(b.labelsOf(t, "erin"), ",")
	erinAtA := b.at("/t/a", "erin", "erin-pass")
	result(t, erinAtA("TestCase.filter", map[string]any{}), new(any))

	var gone []store.User
	result(t, mgr("User.deactivate", map[string]any{"username": "erin"}), &gone)
	if len(gone) != 1 || gone[0].IsActive {
		t.Fatalf("deactivated %+v", gone)
	}
	wantFault(t, erinAtA("TestCase.filter", map[string]any{}), CodeAuth, `Authentication failed when calling "TestCase.filter": login required`)
	if got := b.labelsOf(t, "erin"); len(got) != 0 {
		t.Fatalf("an inactive user holds %v", got)
	}
	// mgr lacks the Tester labels erin holds: it may not pick her password.
	refusedWith(t, mgr("User.update", b.id["erin"], map[string]any{"is_active": true, "password": "mine-now-1"}),
		"You cannot change erin: it holds ")
	result(t, b.admin("User.update", b.id["erin"], map[string]any{"is_active": true, "password": "erin-new-1"}), new(any))
	login := b.at("/t/public", "", "")
	wantFault(t, login("Auth.login", "erin", "erin-pass"), CodeInternal, "Internal error: Wrong username or password")
	result(t, login("Auth.login", "erin", "erin-new-1"), new(string))
	if got := strings.Join(b.labelsOf(t, "erin"), ","); got != before {
		t.Fatalf("reactivation did not restore the labels:\n%s\nwant\n%s", got, before)
	}
	result(t, b.at("/t/a", "erin", "erin-new-1")("TestCase.filter", map[string]any{}), new(any))

	// Outranking counts the tenants the user works in: mgr2 holds every
	// label globally but does not work in a, where erin does.
	if _, err := b.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: "mgr2", Password: "mgr2-pass", Groups: []string{store.AdministratorGroup}}); err != nil {
		t.Fatal(err)
	}
	mgr2 := b.call("mgr2", "public")
	refusedWith(t, mgr2("User.update", b.id["erin"], map[string]any{"password": "mine-now-1"}), "it works in tenant a, where you are not authorised")
	result(t, b.aliceA("Tenant.add_authorized_user", "mgr2"), new(any)) // Tester in a, as erin
	result(t, mgr2("User.update", b.id["erin"], map[string]any{"email": "erin@example.com"}), new(any))
	result(t, b.aliceA("User.join_group", "erin", store.AdministratorGroup), new(any))
	refusedWith(t, mgr2("User.update", b.id["erin"], map[string]any{"password": "mine-now-1"}), "in tenant a, which you do not")
	result(t, login("Auth.login", "erin", "erin-new-1"), new(string))
}
