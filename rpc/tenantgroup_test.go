package rpc

import (
	"slices"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

func TestTenantMethods(t *testing.T) {
	var mails []string
	b := mustTenantBed(t, func(c *Config) {
		c.SendMail = func(to, msg string) error { mails = append(mails, to+" "+msg); return nil }
	})
	conn := b.mustDB()
	tenants := func() (n int) {
		conn.QueryRow(t.Context(), "SELECT count(*) FROM tenants").Scan(&n)
		return n
	}

	t.Run("CreateErr", func(t *testing.T) {
		tester := b.at("/t/public", userName, userPass)
		wantFault(t, tester("Tenant.create", map[string]any{"schema_name": "t1", "name": "T"}), -32098,
			`Authentication failed when calling "Tenant.create": permission tcms_tenants.add_tenant required`)
		wantFault(t, b.admin("Tenant.create", map[string]any{"schema_name": "pg_x", "name": "T"}), -32603, `Internal error: schema_name: "pg_x" is not allowed`)
		wantFault(t, b.admin("Tenant.create", map[string]any{"schema_name": "a", "name": "T"}), -32603, "Internal error: Tenant with this Schema name already exists.")
		wantFault(t, b.admin("Tenant.create", map[string]any{"schema_name": "t2"}), -32603, "Internal error: [('name', ['This field is required.'])]")
		wantFault(t, b.aliceA("Tenant.create", map[string]any{"schema_name": "t3", "name": "T"}), -32603, "Internal error: Tenant.create works at the public address only.")
		if n := tenants(); n != 2 {
			t.Fatalf("%d tenants after refusals", n)
		}
	})
	t.Run("Filter", func(t *testing.T) {
		for user, want := range map[string]int{"alice": 1, "bob": 2, "carol": 0, adminName: 2} {
			pass := user + "-pass"
			if user == adminName {
				pass = adminPass
			}
			if n := rowCount(t, b.at("/t/public", user, pass)("Tenant.filter", map[string]any{})); n != want {
				t.Fatalf("%s sees %d tenants, want %d", user, n, want)
			}
		}
		wantFault(t, b.at("/t/public", "", "")("Tenant.filter", map[string]any{}), -32098, `Authentication failed when calling "Tenant.filter"`)
	})
	t.Run("AuthorizedUsers", func(t *testing.T) {
		wantFault(t, b.bobA("Tenant.add_authorized_user", "carol"), -32098, `Authentication failed when calling "Tenant.add_authorized_user": permission tcms_tenants.change_tenant required`)
		wantFault(t, b.aliceA("Tenant.add_authorized_user", "nobody"), -32603, `Internal error: Unknown user: "nobody"`)
		wantFault(t, b.aliceA("Tenant.remove_authorized_user", "alice"), -32603, "Internal error: The tenant's owner cannot be removed from it.")
		wantFault(t, b.admin("Tenant.add_authorized_user", "carol"), -32603, "Internal error: This method works inside a tenant")
		result(t, b.aliceA("Tenant.remove_authorized_user", "bob"), new(any))
		wantFault(t, b.bobA("Product.filter", map[string]any{}), -32098, `Authentication failed when calling "Product.filter": user bob is not authorised for tenant a`)
	})
	t.Run("Groups", func(t *testing.T) {
		var g store.TenantGroup
		result(t, b.aliceA("TenantGroup.create", map[string]any{"name": "CI"}), &g)
		result(t, b.aliceA("TenantGroup.add_permission", g.ID, []any{"testruns.view_testrun", "testruns.add_testrun"}), new(any))
		result(t, b.aliceA("TenantGroup.remove_permission", g.ID, "testruns.add_testrun"), new(any))
		wantFault(t, b.aliceA("TenantGroup.add_user", g.ID, "carol"), -32603, `Internal error: Unknown user: "carol"`)
		result(t, b.aliceA("TenantGroup.add_user", g.ID, []any{adminName}), new(any))
		var got []store.TenantGroup
		result(t, b.aliceA("TenantGroup.filter", map[string]any{"name": "CI"}), &got)
		if len(got) != 1 || !slices.Equal(got[0].Permissions, []string{"testruns.view_testrun"}) || len(got[0].Users) != 1 {
			t.Fatalf("CI group: %+v", got)
		}
		result(t, b.aliceA("TenantGroup.remove_user", g.ID, adminName), new(any))
		wantFault(t, b.aliceA("TenantGroup.add_permission", 999, "testruns.view_testrun"), -32603, "Internal error: TenantGroup matching query does not exist.")
		wantFault(t, b.admin("TenantGroup.filter", map[string]any{}), -32603, "Internal error: This method works inside a tenant")
		if n := rowCount(t, b.bobB("TenantGroup.filter", map[string]any{"id": g.ID})); n != 0 {
			t.Fatal("a's group is visible in b")
		}
	})
	t.Run("Invite", func(t *testing.T) {
		var r inviteReply
		result(t, b.aliceA("Tenant.invite", []any{"new@example.com", "not an address", "carol@example.com"}), &r)
		if !slices.Equal(r.Success, []string{"new@example.com", "carol@example.com"}) || !slices.Equal(r.Errored, []string{"not an address"}) {
			t.Fatalf("invite: %+v", r)
		}
		if len(mails) != 2 || !strings.HasPrefix(mails[0], "new@example.com Subject: Invitation to Org a") || !strings.Contains(mails[0], r.Invitations[0].Token) {
			t.Fatalf("mails: %q", mails)
		}
		// An invitation authorises nobody until it is accepted.
		wantFault(t, b.at("/t/a", "carol", "carol-pass")("Product.filter", map[string]any{}), -32098, "Authentication failed")
		var invitations int
		conn.QueryRow(t.Context(), "SELECT count(*) FROM invitations WHERE expires_at > now() AND user_id IS NULL").Scan(&invitations)
		if invitations != 2 {
			t.Fatalf("%d invitations", invitations)
		}
		result(t, b.aliceA("Tenant.invite", []any{"x@example.com"}, false), &r)
		if len(mails) != 2 {
			t.Fatal("notify false still mailed")
		}
	})
	t.Run("Remove", func(t *testing.T) {
		wantFault(t, b.aliceA("Tenant.remove", "a"), -32098, `Authentication failed when calling "Tenant.remove"`)
		wantFault(t, b.admin("Tenant.remove", "zzz"), -32603, "Internal error: Tenant matching query does not exist.")
		result(t, b.admin("Tenant.remove", "b"), new(any))
		// Only the tombstone is left: column-less tables, no data.
		var columns int
		conn.QueryRow(t.Context(), "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'b'").Scan(&columns)
		if columns != 0 || tenants() != 1 {
			t.Fatalf("schema b left %d columns, tenants %d", columns, tenants())
		}
		resp, _ := b.post("/t/b/json-rpc/", "application/json", `{"jsonrpc":"2.0","id":1,"method":"system.listMethods","params":[]}`)
		if resp.StatusCode != 404 {
			t.Fatalf("removed tenant: HTTP %d", resp.StatusCode)
		}
	})
}
