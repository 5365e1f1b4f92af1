package rpc

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
)

// trustBed is the tenant bed (tenants a and b; owners alice and bob) with
// the other people of docs/permissions.md's scope table:
//   - mgr, a global user manager: the shared group Managers gives it the
//     auth labels for users and groups, and nothing else;
//   - dave, a tenant administrator: in tenant a's Administrator group;
//   - erin, a plain user: authorised for a, in its Tester group.
//
// mgr, dave and erin are authorised for a; the shared group Empty and a's
// tenant group EmptyT hold no labels.
type trustBed struct {
	tenantBed
	db    *pgx.Conn // behind the server's back
	id    map[string]int64
	empty int64 // the shared group Empty
	n     int   // for fresh names
}

var managerLabels = []any{"auth.add_user", "auth.change_user", "auth.view_user",
	"auth.add_group", "auth.change_group", "auth.delete_group", "auth.view_group"}

func mustTrustBed(t *testing.T) *trustBed {
	t.Helper()
	b := &trustBed{tenantBed: mustTenantBed(t, func(*Config) {}), id: map[string]int64{}}
	b.db = b.mustDB()
	for _, name := range []string{"mgr", "dave", "erin"} {
		if _, err := b.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: name, Password: name + "-pass", Groups: []string{}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{adminName, userName, "alice", "bob", "carol", "mgr", "dave", "erin"} {
		var us []store.User
		result(t, b.admin("User.filter", map[string]any{"username": name}), &us)
		b.id[name] = us[0].ID
	}
	var g store.Group
	result(t, b.admin("Group.create", map[string]any{"name": "Managers"}), &g)
	result(t, b.admin("Group.add_permission", g.ID, managerLabels), new(any))
	result(t, b.admin("Group.add_user", g.ID, "mgr"), new(any))
	result(t, b.admin("Group.create", map[string]any{"name": "Empty"}), &g)
	b.empty = g.ID
	for _, name := range []string{"mgr", "dave", "erin"} {
		result(t, b.aliceA("Tenant.add_authorized_user", name), new(any))
	}
	result(t, b.aliceA("User.join_group", "dave", store.AdministratorGroup), new(any))
	result(t, b.aliceA("TenantGroup.create", map[string]any{"name": "EmptyT"}), new(any))
	return b
}

// call returns a caller of a person at "public" or "tenant" (a).
func (b *trustBed) call(who, where string) func(string, ...any) jsonResponse {
	prefix := map[string]string{"public": "/t/public", "tenant": "/t/a"}[where]
	pass := who + "-pass"
	if who == adminName {
		pass = adminPass
	}
	return b.at(prefix, who, pass)
}

// fresh returns a name not used before.
func (b *trustBed) fresh(prefix string) string {
	b.n++
	return fmt.Sprintf("%s%d", prefix, b.n)
}

// tenantGroupID returns the id of a group of tenant a.
func (b *trustBed) tenantGroupID(t *testing.T, name string) int64 {
	var gs []store.TenantGroup
	result(t, b.aliceA("TenantGroup.filter", map[string]any{"name": name}), &gs)
	return gs[0].ID
}

// scopeRow is one method of the scope table in docs/permissions.md: who
// may call it at the public address and at a tenant's. params makes fresh
// parameters for each call.
type scopeRow struct {
	method         string
	params         func(t *testing.T, b *trustBed) []any
	public, tenant string // the people who succeed, space-separated
}

func fixed(params ...any) func(*testing.T, *trustBed) []any {
	return func(*testing.T, *trustBed) []any { return params }
}

// scopeTable: superuser admin, tenant owner alice, tenant administrator
// dave, global manager mgr and plain user erin, on every account and group
// method. Global methods (shared accounts and groups) count only global
// labels wherever they are called; the rest count the labels of the place.
var scopeTable = []scopeRow{
	{"User.filter", fixed(map[string]any{"username": "bob"}), "admin mgr", "admin alice dave"},
	{"User.get", func(_ *testing.T, b *trustBed) []any { return []any{b.id["bob"]} }, "admin mgr", "admin alice dave"},
	{"User.permissions", fixed("bob"), "admin mgr", "admin alice dave"},
	{"User.create", func(_ *testing.T, b *trustBed) []any {
		return []any{map[string]any{"username": b.fresh("new"), "groups": []any{}}}
	}, "admin mgr", "admin mgr"},
	{"User.update", func(_ *testing.T, b *trustBed) []any {
		return []any{b.id["bob"], map[string]any{"first_name": b.fresh("Bob")}}
	}, "admin mgr", "admin mgr"},
	{"User.deactivate", func(t *testing.T, b *trustBed) []any {
		name := b.fresh("leaver")
		if _, err := b.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: name, Groups: []string{}}); err != nil {
			t.Fatal(err)
		}
		return []any{map[string]any{"username": name}}
	}, "admin mgr", "admin mgr"},
	{"User.add_permission", fixed("erin", "auth.view_group"), "admin mgr", "admin mgr"},
	{"User.remove_permission", fixed("erin", "auth.view_group"), "admin mgr", "admin mgr"},
	{"User.join_group", func(_ *testing.T, b *trustBed) []any { return []any{"erin", "Empty"} }, "admin mgr", ""},
	{"User.join_group", fixed("erin", "EmptyT"), "", "admin alice dave"},
	{"Group.filter", fixed(map[string]any{}), "admin mgr", "admin mgr"},
	{"Group.permissions", func(_ *testing.T, b *trustBed) []any { return []any{b.empty} }, "admin mgr", "admin mgr"},
	{"Group.users", func(_ *testing.T, b *trustBed) []any { return []any{b.empty} }, "admin mgr", "admin mgr"},
	{"Group.create", func(_ *testing.T, b *trustBed) []any { return []any{map[string]any{"name": b.fresh("g")}} }, "admin mgr", "admin mgr"},
	{"Group.update", func(t *testing.T, b *trustBed) []any {
		return []any{b.throwawayGroup(t), map[string]any{"name": b.fresh("renamed")}}
	}, "admin mgr", "admin mgr"},
	{"Group.remove", func(t *testing.T, b *trustBed) []any { return []any{b.throwawayGroup(t)} }, "admin mgr", "admin mgr"},
	{"Group.add_permission", func(_ *testing.T, b *trustBed) []any { return []any{b.empty, "auth.view_group"} }, "admin mgr", "admin mgr"},
	{"Group.remove_permission", func(_ *testing.T, b *trustBed) []any { return []any{b.empty, "auth.view_group"} }, "admin mgr", "admin mgr"},
	{"Group.add_user", func(_ *testing.T, b *trustBed) []any { return []any{b.empty, "erin"} }, "admin mgr", "admin mgr"},
	{"Group.remove_user", func(_ *testing.T, b *trustBed) []any { return []any{b.empty, "erin"} }, "admin mgr", "admin mgr"},
	{"TenantGroup.filter", fixed(map[string]any{}), "", "admin alice dave"},
	{"TenantGroup.create", func(_ *testing.T, b *trustBed) []any { return []any{map[string]any{"name": b.fresh("tg")}} }, "", "admin alice dave"},
	{"TenantGroup.add_permission", func(t *testing.T, b *trustBed) []any { return []any{b.tenantGroupID(t, "EmptyT"), "auth.view_group"} }, "", "admin alice dave"},
	{"TenantGroup.remove_permission", func(t *testing.T, b *trustBed) []any { return []any{b.tenantGroupID(t, "EmptyT"), "auth.view_group"} }, "", "admin alice dave"},
	{"TenantGroup.add_user", func(t *testing.T, b *trustBed) []any { return []any{b.tenantGroupID(t, "EmptyT"), "erin"} }, "", "admin alice dave"},
	{"TenantGroup.remove_user", func(t *testing.T, b *trustBed) []any { return []any{b.tenantGroupID(t, "EmptyT"), "erin"} }, "", "admin alice dave"},
	{"Tenant.add_authorized_user", fixed("carol"), "", "admin alice dave"},
	{"Tenant.remove_authorized_user", fixed("carol"), "", "admin alice dave"},
	{"Tenant.invite", func(_ *testing.T, b *trustBed) []any { return []any{[]any{b.fresh("x") + "@example.com"}, false} }, "", "admin alice dave"},
	{"Tenant.filter", fixed(map[string]any{}), "admin alice dave mgr erin", "admin alice dave mgr erin"},
	{"Tenant.create", func(_ *testing.T, b *trustBed) []any {
		return []any{map[string]any{"schema_name": b.fresh("t"), "name": "T"}}
	}, "admin", ""},
	{"Tenant.remove", func(t *testing.T, b *trustBed) []any {
		schema := b.fresh("gone")
		result(t, b.admin("Tenant.create", map[string]any{"schema_name": schema, "name": "Gone"}), new(any))
		return []any{schema}
	}, "admin", "admin"},
	// Issue 19: the account lifecycle.
	{"User.remove", func(t *testing.T, b *trustBed) []any { return []any{b.throwawayUser(t)} }, "admin", "admin"},
	{"User.create_token", func(t *testing.T, b *trustBed) []any { return []any{b.throwawayUser(t), "ci"} }, "admin mgr", "admin mgr"},
	{"User.tokens", func(t *testing.T, b *trustBed) []any { return []any{b.throwawayUser(t)} }, "admin mgr", "admin mgr"},
	{"User.revoke_token", func(t *testing.T, b *trustBed) []any {
		name := b.throwawayUser(t)
		tok, _, err := b.Store.CreateToken(t.Context(), store.System, name, "ci", nil)
		if err != nil {
			t.Fatal(err)
		}
		return []any{name, tok.ID}
	}, "admin mgr", "admin mgr"},
	{"Tenant.update", fixed("a", map[string]any{"organization": "Org"}), "admin alice", "admin alice"},
	{"Tenant.add_domain", func(_ *testing.T, b *trustBed) []any { return []any{"a", b.fresh("d") + ".example.com"} }, "admin", "admin"},
	{"Tenant.remove_domain", func(t *testing.T, b *trustBed) []any {
		domain := b.fresh("d") + ".example.com"
		result(t, b.admin("Tenant.add_domain", "a", domain), new(any))
		return []any{"a", domain}
	}, "admin", "admin"},
	{"Invitation.filter", fixed(map[string]any{}), "", "admin alice dave"},
	{"Invitation.resend", func(t *testing.T, b *trustBed) []any { return []any{b.invitation(t), false} }, "", "admin alice dave"},
	{"Invitation.revoke", func(t *testing.T, b *trustBed) []any { return []any{b.invitation(t)} }, "", "admin alice dave"},
	{"Audit.filter", fixed(map[string]any{}), "admin", "admin alice dave"},
	{"Permission.export", fixed(map[string]any{"username": "bob"}), "admin mgr", "admin alice dave"},
}

// throwawayUser creates a user without groups or labels for one call.
func (b *trustBed) throwawayUser(t *testing.T) string {
	name := b.fresh("temp")
	if _, err := b.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: name, Groups: []string{}}); err != nil {
		t.Fatal(err)
	}
	return name
}

// invitation invites a fresh address to tenant a and returns its id.
func (b *trustBed) invitation(t *testing.T) int64 {
	var r inviteReply
	result(t, b.aliceA("Tenant.invite", []any{b.fresh("inv") + "@example.com"}, false), &r)
	return r.Invitations[0].ID
}

// readOnly are the methods of scopeTable that change nothing, and so write
// no audit row.
var readOnly = []string{"User.filter", "User.get", "User.permissions", "User.tokens", "Group.filter", "Group.permissions",
	"Group.users", "TenantGroup.filter", "Tenant.filter", "Invitation.filter", "Audit.filter", "Permission.export"}

// throwawayGroup creates a shared group for one call.
func (b *trustBed) throwawayGroup(t *testing.T) int64 {
	var g store.Group
	result(t, b.admin("Group.create", map[string]any{"name": b.fresh("tmp")}), &g)
	return g.ID
}

// audited counts the audit rows of a method.
func (b *trustBed) audited(t *testing.T, method string) (n int) {
	t.Helper()
	if err := b.db.QueryRow(t.Context(), "SELECT count(*) FROM audit_log WHERE action = $1", method).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestScopeMatrix calls every account and group method as each person at
// each place and checks it succeeds exactly where docs/permissions.md
// says, and that every successful change, and no refused one, writes an
// audit row.
func TestScopeMatrix(t *testing.T) {
	b := mustTrustBed(t)
	people := []string{adminName, "alice", "dave", "mgr", "erin"}
	for _, row := range scopeTable {
		for _, where := range []string{"public", "tenant"} {
			allowed := strings.Fields(map[string]string{"public": row.public, "tenant": row.tenant}[where])
			for _, who := range people {
				name := fmt.Sprintf("%s/%s/%s", row.method, where, who)
				params := row.params(t, b)
				logged := b.audited(t, row.method)
				r := b.call(who, where)(row.method, params...)
				ok := slices.Contains(allowed, who)
				changes := !slices.Contains(readOnly, row.method)
				switch {
				case ok && r.Error != nil:
					t.Errorf("%s: want success, got %d %s", name, r.Error.Code, r.Error.Message)
				case ok && changes && b.audited(t, row.method) == logged:
					t.Errorf("%s: succeeded without an audit row", name)
				case !ok && b.audited(t, row.method) != logged:
					t.Errorf("%s: refused, but wrote an audit row", name)
				case !ok && r.Error == nil:
					t.Errorf("%s: want a refusal, got %s", name, r.Result)
				case !ok && r.Error.Code != CodeAuth && r.Error.Code != CodeInternal:
					t.Errorf("%s: want -32098 or -32603, got %d %s", name, r.Error.Code, r.Error.Message)
				}
			}
		}
	}
}
