package rpc

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestTenantUpdate(t *testing.T) {
	b := mustTenantBed(t, func(*Config) {})
	conn := b.mustDB()
	alice := b.at("/t/public", "alice", "alice-pass")
	carol := b.at("/t/a", "carol", "carol-pass")
	tenantA := func() (tn map[string]any) {
		var rows []map[string]any
		result(t, b.admin("Tenant.filter", map[string]any{"schema_name": "a"}), &rows)
		return rows[0]
	}

	t.Run("OKRenewAndHandOver", func(t *testing.T) {
		next := time.Now().AddDate(1, 0, 0).UTC().Format("2006-01-02T15:04:05")
		var tn map[string]any
		result(t, b.admin("Tenant.update", "a", map[string]any{"paid_until": next, "owner": "carol"}), &tn)
		if tn["owner__username"] != "carol" || !strings.HasPrefix(tn["paid_until"].(string), next[:10]) {
			t.Fatalf("tenant %v", tn)
		}
		// The new owner works in a as its administrator; the old one stays
		// authorised but may no longer change the tenant.
		result(t, carol("TenantGroup.filter", map[string]any{}), new(any))
		result(t, carol("Tenant.add_authorized_user", "alice"), new(any))
		wantFault(t, alice("Tenant.update", "a", map[string]any{"name": "Mine"}), CodeInternal, "Internal error: Only a superuser or the owner of tenant a can change it.")
		result(t, b.aliceA("Product.filter", map[string]any{}), new(any))
		result(t, b.admin("Tenant.update", "a", map[string]any{"paid_until": nil}), &tn)
		if tn["paid_until"] != nil {
			t.Fatalf("never expires: %v", tn)
		}
	})
	t.Run("OKOwnerChangesItsTenant", func(t *testing.T) {
		var tn map[string]any
		result(t, carol("Tenant.update", "a", map[string]any{"name": "Acme QA", "organization": "Acme", "publicly_readable": true}), &tn)
		if tn["name"] != "Acme QA" || tn["organization"] != "Acme" || tn["publicly_readable"] != true {
			t.Fatalf("tenant %v", tn)
		}
		// The tenant is read anew at once: anonymous callers may now read.
		result(t, b.at("/t/a", "", "")("Product.filter", map[string]any{}), new(any))
		wantFault(t, carol("Tenant.update", "a", map[string]any{"paid_until": "2030-01-01T00:00:00"}), CodeInternal, "Internal error: Only a superuser can change paid_until (renew a tenant).")
		// Handing it on.
		result(t, carol("Tenant.update", "a", map[string]any{"owner": "alice"}), &tn)
		if tn["owner__username"] != "alice" {
			t.Fatalf("tenant %v", tn)
		}
	})
	t.Run("OKXMLRPC", func(t *testing.T) {
		var tn map[string]any
		if err := b.xmlAt("", adminName, adminPass).Call("Tenant.update", []any{"b", map[string]any{"paid_until": time.Now().AddDate(0, 1, 0)}}, &tn); err != nil {
			t.Fatal(err)
		}
		if _, ok := tn["paid_until"].(time.Time); !ok {
			t.Fatalf("tenant %v", tn)
		}
	})
	t.Run("ErrInput", func(t *testing.T) {
		before := tenantA()
		for _, c := range []struct {
			params []any
			code   int
			msg    string
		}{
			{[]any{"a", map[string]any{"schema_name": "z"}}, CodeInvalidParams, "Invalid parameters: unknown key(s) in values: schema_name; known keys are name, organization, publicly_readable, paid_until, owner"},
			{[]any{"zzz", map[string]any{"name": "x"}}, CodeInternal, "Internal error: Tenant matching query does not exist."},
			{[]any{"a", map[string]any{"name": ""}}, CodeInternal, "Internal error: [('name', ['This field is required.'])]"},
			{[]any{"a", map[string]any{"paid_until": "soon"}}, CodeInternal, "Internal error: [('paid_until', ["},
			{[]any{"a", map[string]any{"owner": "nobody"}}, CodeInternal, `Internal error: Unknown user: "nobody"`},
			{[]any{"a", map[string]any{"owner": []any{1, 2}}}, CodeInternal, "Internal error: owner: Expected a user id or username."},
			{[]any{"a"}, CodeInvalidParams, "Invalid parameters: expected 2 parameters, got 1"},
		} {
			wantFault(t, b.admin("Tenant.update", c.params...), c.code, c.msg)
		}
		wantFault(t, b.at("/t/public", "", "")("Tenant.update", "a", map[string]any{"name": "x"}), CodeAuth, `Authentication failed when calling "Tenant.update": login required`)
		wantFault(t, b.bobB("Tenant.update", "a", map[string]any{"owner": "bob"}), CodeInternal, "Internal error: Only a superuser or the owner of tenant a can change it.")
		if after := tenantA(); after["name"] != before["name"] || after["owner"] != before["owner"] {
			t.Fatalf("a refused update changed %v to %v", before, after)
		}
		if n := count(t, conn, "SELECT count(*) FROM tenant_authorized_users a JOIN users u ON u.id = a.user_id WHERE u.username = 'bob' AND a.tenant_id = 1"); n != 1 {
			t.Fatalf("bob authorised %d times", n)
		}
	})
}

func TestTenantDomains(t *testing.T) {
	b := mustTenantBed(t, func(*Config) {})
	viaHost := func(host string) int {
		req, _ := http.NewRequest(http.MethodPost, b.URL+"/json-rpc/", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"system.listMethods","params":[]}`))
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := viaHost("qa.example.com"); code != http.StatusNotFound {
		t.Fatalf("unknown host: HTTP %d", code)
	}
	result(t, b.admin("Tenant.add_domain", "a", "QA.example.com"), new(any))
	if code := viaHost("qa.example.com"); code != http.StatusOK {
		t.Fatalf("added host: HTTP %d", code)
	}
	if err := b.xmlAt("", adminName, adminPass).Call("Tenant.add_domain", []any{"b", "b.example.org"}, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		method string
		params []any
		code   int
		msg    string
	}{
		{"Tenant.add_domain", []any{"b", "qa.example.com"}, CodeInternal, "Internal error: Tenant with this Domain already exists."},
		{"Tenant.add_domain", []any{"a", "not a host"}, CodeInternal, `Internal error: domain: "not a host" is not a host name`},
		{"Tenant.add_domain", []any{"a", "x.tcms.test"}, CodeInternal, "Internal error: domain: x.tcms.test is under TCMS_TENANTS_DOMAIN"},
		{"Tenant.add_domain", []any{"zzz", "z.example.com"}, CodeInternal, "Internal error: Tenant matching query does not exist."},
		{"Tenant.remove_domain", []any{"b", "qa.example.com"}, CodeInternal, "Internal error: Domain matching query does not exist."},
	} {
		wantFault(t, b.admin(c.method, c.params...), c.code, c.msg)
	}
	// The owner may not route host names: a name could capture another's traffic.
	wantFault(t, b.aliceA("Tenant.add_domain", "a", "alice.example.com"), CodeAuth, `Authentication failed when calling "Tenant.add_domain": permission tcms_tenants.add_domain required, held globally`)
	result(t, b.admin("User.add_permission", "alice", []any{"tcms_tenants.add_domain", "tcms_tenants.delete_domain"}), new(any))
	wantFault(t, b.at("/t/public", "alice", "alice-pass")("Tenant.remove_domain", "a", "qa.example.com"), CodeAuth, `Authentication failed when calling "Tenant.remove_domain": superuser required`)
	if code := viaHost("qa.example.com"); code != http.StatusOK {
		t.Fatal("a refused removal removed")
	}
	result(t, b.admin("Tenant.remove_domain", "a", "qa.example.com"), new(any))
	if code := viaHost("qa.example.com"); code != http.StatusNotFound {
		t.Fatalf("removed host: HTTP %d", code)
	}
}
