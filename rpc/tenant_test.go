package rpc

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kolo/xmlrpc"

	"github.com/tcms/tcms/store"
)

const tenantsDomain = "tcms.test"

// tenantBed is a server with tenants on: a (owner alice; bob and admin
// authorised) and b (owner bob); carol is authorised for none.
type tenantBed struct {
	*testServer
	admin, aliceA, bobA, bobB func(string, ...any) jsonResponse
}

func mustTenantBed(t *testing.T, edit func(*Config)) tenantBed {
	t.Helper()
	ts := mustServerWith(t, func(c *Config) { c.TenantsDomain = tenantsDomain; edit(c) })
	for _, name := range []string{"alice", "bob", "carol"} {
		if _, err := ts.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: name, Password: name + "-pass", Email: name + "@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	b := tenantBed{testServer: ts, admin: ts.at("/t/public", adminName, adminPass)}
	for _, so := range [][2]string{{"a", "alice"}, {"b", "bob"}} { // in order: ids 1 and 2
		schema, owner := so[0], so[1]
		var tn map[string]any
		result(t, b.admin("Tenant.create", map[string]any{"schema_name": schema, "name": "Org " + schema, "owner": owner}), &tn)
		if tn["schema_name"] != schema || tn["owner__username"] != owner {
			t.Fatalf("created %+v", tn)
		}
	}
	b.aliceA, b.bobA, b.bobB = ts.at("/t/a", "alice", "alice-pass"), ts.at("/t/a", "bob", "bob-pass"), ts.at("/t/b", "bob", "bob-pass")
	result(t, b.aliceA("Tenant.add_authorized_user", "bob"), new(any))
	result(t, b.aliceA("Tenant.add_authorized_user", adminName), new(any))
	return b
}

// at returns a JSON-RPC caller for a path prefix ("" or "/t/<schema>")
// sending HTTP Basic credentials; user "" calls anonymously.
func (ts *testServer) at(prefix, user, pass string) func(string, ...any) jsonResponse {
	return ts.atHost(prefix, "", user, pass)
}

// atHost is at with a Host header ("" keeps the server's address).
func (ts *testServer) atHost(prefix, host, user, pass string) func(string, ...any) jsonResponse {
	auth := ""
	if user != "" {
		auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	return ts.authAt(prefix, host, auth)
}

// authAt returns a JSON-RPC caller for a path prefix and Host header that
// sends an Authorization header ("": none).
func (ts *testServer) authAt(prefix, host, auth string) func(string, ...any) jsonResponse {
	return func(method string, params ...any) jsonResponse {
		ts.t.Helper()
		body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": 1})
		req, _ := http.NewRequest(http.MethodPost, ts.URL+prefix+"/json-rpc/", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		if host != "" {
			req.Host = host
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			ts.t.Fatal(err)
		}
		defer resp.Body.Close()
		var r jsonResponse
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&r) != nil {
			ts.t.Fatalf("%s at %s%s: HTTP %d", method, host, prefix, resp.StatusCode)
		}
		return r
	}
}

func rowCount(t *testing.T, r jsonResponse) int {
	t.Helper()
	var rows []any
	result(t, r, &rows)
	return len(rows)
}

func TestTenantIsolation(t *testing.T) {
	b := mustTenantBed(t, func(*Config) {})
	f := mustRunFixture(t, b.aliceA) // products, versions, build, plan and run in a, managed by admin

	t.Run("InvisibleElsewhere", func(t *testing.T) {
		for _, call := range []func(string, ...any) jsonResponse{b.bobB, b.at("/t/public", adminName, adminPass)} {
			for _, m := range []string{"Product.filter", "Version.filter", "Build.filter", "TestPlan.filter", "TestRun.filter", "Classification.filter"} {
				if n := rowCount(t, call(m, map[string]any{})); n != 0 {
					t.Fatalf("%s sees %d rows of tenant a", m, n)
				}
			}
			if n := rowCount(t, call("TestPlan.filter", map[string]any{"pk": f.plan})); n != 0 {
				t.Fatal("plan found by id in another tenant")
			}
			wantFault(t, call("TestRun.get", f.run), -32603, "Internal error: TestRun matching query does not exist.")
			wantFault(t, call("TestPlan.get", f.plan), -32603, "Internal error: TestPlan matching query does not exist.")
		}
		if n := rowCount(t, b.bobA("TestRun.filter", map[string]any{"pk": f.run})); n != 1 {
			t.Fatal("the run is missing in its own tenant")
		}
	})
	t.Run("UserFieldsRefuseOutsiders", func(t *testing.T) {
		wantFault(t, b.aliceA("TestRun.create", f.runValues("by carol", "manager", "carol")), -32603, `Internal error: Unknown user: "carol"`)
		wantFault(t, b.aliceA("TestRun.update", f.run, map[string]any{"default_tester": "tester"}), -32603, `Internal error: Unknown user: "tester"`)
		result(t, b.aliceA("TestRun.create", f.runValues("by bob", "manager", "bob")), new(any))
		// Users 1 admin, 2 tester, then the bed's alice 3, bob 4, carol 5.
		comp := map[string]any{"name": "owned", "product": f.product, "initial_owner": 5}
		wantFault(t, b.aliceA("Component.create", comp), -32603, "Internal error: [('initial_owner', ['Select a valid choice. That choice is not one of the available choices.'])]")
		comp["initial_owner"] = 3
		result(t, b.aliceA("Component.create", comp), new(any))
		var users []store.User
		result(t, b.aliceA("User.filter", map[string]any{"is_active": true}), &users)
		var names []string
		for _, u := range users {
			names = append(names, u.Username)
		}
		if strings.Join(names, ",") != "admin,alice,bob" {
			t.Fatalf("User.filter in a: %v", names)
		}
		if n := rowCount(t, b.bobB("User.filter", map[string]any{"username": "alice"})); n != 0 {
			t.Fatal("alice is listed in b")
		}
	})
	t.Run("UserIDsRefuseOutsiders", func(t *testing.T) {
		// carol (5) is not authorised for a: named by id she is as unknown
		// there as a user that does not exist, and nothing is written.
		var cats []store.Category
		result(t, b.aliceA("Category.filter", map[string]any{"product": f.product}), &cats)
		newCase := func(extra ...any) map[string]any {
			v := map[string]any{"summary": "outsider", "case_status": 2, "category": cats[0].ID, "priority": 1}
			for i := 0; i+1 < len(extra); i += 2 {
				v[extra[i].(string)] = extra[i+1]
			}
			return v
		}
		var tc struct{ ID int64 }
		result(t, b.aliceA("TestCase.create", newCase()), &tc)
		var execs []struct{ ID int64 }
		result(t, b.aliceA("TestRun.add_case", f.run, tc.ID), &execs)
		choice := func(field string) string {
			return "Internal error: [('" + field + "', ['Select a valid choice. That choice is not one of the available choices.'])]"
		}
		for _, c := range []struct {
			method string
			params []any
			want   string
		}{
			{"TestCase.create", []any{newCase("default_tester", 5)}, choice("default_tester")},
			{"TestCase.create", []any{newCase("author", "5")}, choice("author")},
			{"TestCase.bulk_create", []any{[]any{newCase(), newCase("default_tester", 5)}}, choice("default_tester")},
			{"TestExecution.update", []any{execs[0].ID, map[string]any{"assignee": 5}}, `Internal error: Unknown user_id: "5"`},
			{"TestExecution.update", []any{execs[0].ID, map[string]any{"status": 4, "tested_by": "5"}}, `Internal error: Unknown user_id: "5"`},
			{"TestExecution.create", []any{map[string]any{"run": f.run, "case": tc.ID, "build": f.build, "status": 1,
				"case_text_version": 1, "assignee": 5}}, `Internal error: Unknown user_id: "5"`},
			{"Bug.create", []any{map[string]any{"summary": "outsider", "product": f.product, "version": f.version,
				"build": f.build, "reporter": 5}}, choice("reporter")},
			{"TestPlan.create", []any{f.values("outsider's", "author", 5)}, choice("author")},
			{"TestPlan.update", []any{f.plan, map[string]any{"author": 5}}, choice("author")},
		} {
			wantFault(t, b.aliceA(c.method, c.params...), -32603, c.want)
		}
		for m, want := range map[string]int{"TestCase.filter": 1, "TestExecution.filter": 1, "Bug.filter": 0, "TestPlan.filter": 1} {
			if n := rowCount(t, b.aliceA(m, map[string]any{})); n != want {
				t.Fatalf("%s: %d rows, want %d", m, n, want)
			}
		}
		if n := rowCount(t, b.aliceA("TestPlan.filter", map[string]any{"author": 5})); n != 0 {
			t.Fatalf("%d plans by carol", n)
		}
		var e []map[string]any
		result(t, b.aliceA("TestExecution.filter", map[string]any{"pk": execs[0].ID}), &e)
		if e[0]["assignee"] == 5.0 || e[0]["tested_by"] != nil || e[0]["status"] != 1.0 {
			t.Fatalf("execution changed: %v", e[0])
		}
		// The same over XML-RPC; authorised users (bob, 4) and the caller
		// itself stay fine.
		c, err := xmlrpc.NewClient(strings.Replace(b.URL, "http://", "http://alice:alice-pass@", 1)+"/t/a/xml-rpc/", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		err = c.Call("TestExecution.update", []any{execs[0].ID, map[string]any{"assignee": 5}}, new(any))
		if err == nil || !strings.Contains(err.Error(), `Unknown user_id: "5"`) {
			t.Fatalf("XML-RPC assignee 5: %v", err)
		}
		var updated map[string]any
		if err := c.Call("TestExecution.update", []any{execs[0].ID, map[string]any{"assignee": 4, "status": 4}}, &updated); err != nil {
			t.Fatal(err)
		}
		if updated["assignee"] != int64(4) || updated["tested_by"] != int64(3) {
			t.Fatalf("XML-RPC update: %v", updated)
		}
		result(t, b.aliceA("TestCase.create", newCase("default_tester", 4, "author", 3)), new(any))
	})
	t.Run("ErrUnauthorised", func(t *testing.T) {
		wantFault(t, b.at("/t/a", "carol", "carol-pass")("TestPlan.filter", map[string]any{}), -32098,
			`Authentication failed when calling "TestPlan.filter": user carol is not authorised for tenant a`)
		wantFault(t, b.at("/t/b", "alice", "alice-pass")("Product.create", map[string]any{"name": "x", "classification": 1}), -32098,
			`Authentication failed when calling "Product.create": user alice is not authorised for tenant b`)
		wantFault(t, b.at("/t/a", "", "")("TestPlan.filter", map[string]any{}), -32098,
			`Authentication failed when calling "TestPlan.filter": login required: tenant a is not open to anonymous callers`)
		// A superuser passes everywhere.
		if n := rowCount(t, b.at("/t/b", adminName, adminPass)("TestPlan.filter", map[string]any{})); n != 0 {
			t.Fatalf("admin in b: %d plans", n)
		}
	})
	t.Run("ObjectGrantsToUsersOnly", func(t *testing.T) {
		grant := map[string]any{"group": "Tester", "permission": "testplans.view_testplan", "object_type": "TestPlan", "object_id": f.plan}
		wantFault(t, b.aliceA("ObjectPermission.grant", grant), -32603, "Internal error: Inside a tenant, grant objects to users")
		delete(grant, "group")
		// carol (5) is not authorised for a: granting her anything there
		// would also tell her username to a's owner.
		for _, carol := range []any{5, "carol"} {
			grant["user"] = carol
			wantFault(t, b.aliceA("ObjectPermission.grant", grant), -32603, "Internal error: User matching query does not exist.")
		}
		grant["user"] = "bob"
		result(t, b.aliceA("ObjectPermission.grant", grant), new(any))
		if n := rowCount(t, b.aliceA("ObjectPermission.filter", map[string]any{})); n != 1 {
			t.Fatalf("%d object grants in a", n)
		}
	})
	t.Run("TenantGroupsGivePermissions", func(t *testing.T) {
		// bob joined a's Tester group when authorised; without it he holds
		// nothing in a, whatever his public groups say.
		var groups []store.TenantGroup
		result(t, b.aliceA("TenantGroup.filter", map[string]any{"name": "Tester"}), &groups)
		result(t, b.aliceA("TenantGroup.remove_user", groups[0].ID, "bob"), new(any))
		wantFault(t, b.bobA("TestPlan.filter", map[string]any{}), -32098, `Authentication failed when calling "TestPlan.filter": permission testplans.view_testplan required`)
		if n := rowCount(t, b.at("/t/public", "bob", "bob-pass")("TestPlan.filter", map[string]any{})); n != 0 {
			t.Fatal("public plans")
		}
		result(t, b.aliceA("TenantGroup.add_user", groups[0].ID, "bob"), new(any))
		if n := rowCount(t, b.bobA("TestPlan.filter", map[string]any{})); n != 1 {
			t.Fatalf("bob sees %d plans in a", n)
		}
	})
}

func TestTenantRouting(t *testing.T) {
	b := mustTenantBed(t, func(*Config) {})
	mustProduct(t, b.bobB, "in b")
	for host, want := range map[string]int{"b." + tenantsDomain: 1, "B.tcms.test:8080": 1, tenantsDomain: 0, "public." + tenantsDomain: 0} {
		if n := rowCount(t, b.atHost("", host, "bob", "bob-pass")("Product.filter", map[string]any{})); n != want {
			t.Fatalf("%s: %d products, want %d", host, n, want)
		}
	}
	for _, target := range []struct{ host, path string }{{"nope." + tenantsDomain, "/json-rpc/"}, {"elsewhere.example", "/json-rpc/"},
		{tenantsDomain, "/t/nope/json-rpc/"}, {tenantsDomain, "/t/Bad-Name/xml-rpc/"}} {
		req, _ := http.NewRequest(http.MethodPost, b.URL+target.path, strings.NewReader("{}"))
		req.Host = target.host
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		buf := make([]byte, 512)
		n, _ := resp.Body.Read(buf)
		text.Write(buf[:n])
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(text.String(), "Unknown tenant: no organisation is served at ") {
			t.Fatalf("%+v: HTTP %d %q", target, resp.StatusCode, text.String())
		}
	}
	t.Run("XMLRPC", func(t *testing.T) {
		c, err := xmlrpc.NewClient(strings.Replace(b.URL, "http://", "http://bob:bob-pass@", 1)+"/t/b/xml-rpc/", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var tenants []map[string]any
		if err := c.Call("Tenant.filter", []any{map[string]any{}}, &tenants); err != nil {
			t.Fatal(err)
		}
		if len(tenants) != 2 || tenants[0]["schema_name"] != "a" || tenants[1]["schema_name"] != "b" {
			t.Fatalf("bob's tenants: %v", tenants)
		}
		err = c.Call("TenantGroup.create", []any{map[string]any{"name": "Tester"}}, new(any))
		if err == nil || !strings.Contains(err.Error(), "TenantGroup with this Name already exists.") {
			t.Fatalf("duplicate group: %v", err)
		}
	})
	t.Run("WithoutDomainNoRouting", func(t *testing.T) {
		ts := mustServer(t)
		resp, _ := ts.post("/t/a/json-rpc/", "application/json", `{"jsonrpc":"2.0","id":1,"method":"system.listMethods","params":[]}`)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("path prefix without TCMS_TENANTS_DOMAIN: HTTP %d", resp.StatusCode)
		}
	})
}

func TestTenantPublicAndExpired(t *testing.T) {
	b := mustTenantBed(t, func(*Config) {})
	result(t, b.admin("Tenant.create", map[string]any{"schema_name": "open", "name": "Open", "publicly_readable": true}), new(any))
	past := time.Now().Add(-48 * time.Hour).UTC().Format("2006-01-02T15:04:05")
	result(t, b.admin("Tenant.create", map[string]any{"schema_name": "late", "name": "Late", "paid_until": past}), new(any))
	mustProduct(t, b.at("/t/open", adminName, adminPass), "shown")

	t.Run("PubliclyReadable", func(t *testing.T) {
		for _, user := range []string{"", "carol"} {
			call := b.at("/t/open", user, user+"-pass")
			if n := rowCount(t, call("Product.filter", map[string]any{})); n != 1 {
				t.Fatalf("%q reads %d products", user, n)
			}
			r := call("Classification.create", map[string]any{"name": "nope"})
			if r.Error == nil || r.Error.Code != -32098 {
				t.Fatalf("%q wrote in a publicly readable tenant: %+v", user, r)
			}
			for _, m := range []string{"User.filter", "TenantGroup.filter", "ObjectPermission.filter", "Group.filter", "Permission.filter"} {
				wantFault(t, call(m, map[string]any{}), -32098, `Authentication failed when calling "`+m+`"`)
			}
		}
		if n := rowCount(t, b.at("/t/open", adminName, adminPass)("Classification.filter", map[string]any{})); n != 1 {
			t.Fatal("a refused write left a classification")
		}
	})
	t.Run("Expired", func(t *testing.T) {
		for _, m := range []string{"Product.filter", "Auth.login"} {
			r := b.at("/t/late", adminName, adminPass)(m, map[string]any{})
			wantFault(t, r, -32098, `Authentication failed when calling "`+m+`": the subscription of tenant late ended on `)
		}
	})
}
