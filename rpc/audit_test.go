package rpc

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// auditLines returns "tenant actor action target" of the audit rows a
// query matches, as the caller sees them.
func auditLines(t *testing.T, call func(string, ...any) jsonResponse, query map[string]any) []string {
	t.Helper()
	var rows []map[string]any
	result(t, call("Audit.filter", query), &rows)
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprint(r["tenant"], " ", r["actor"], " ", r["action"], " ", r["target"])
	}
	return out
}

func TestAuditFilter(t *testing.T) {
	b := mustTrustBed(t)
	conn := b.mustDB()
	result(t, b.call("mgr", "public")("User.update", b.id["erin"], map[string]any{"first_name": "Erin"}), new(any))
	result(t, b.bobB("TenantGroup.create", map[string]any{"name": "b-only"}), new(any))
	wantFault(t, b.call("mgr", "public")("User.update", b.id[adminName], map[string]any{"first_name": "X"}), CodeInternal, "Internal error: Only a superuser")

	t.Run("OKSuperuserSeesEverything", func(t *testing.T) {
		var rows []map[string]any
		result(t, b.admin("Audit.filter", map[string]any{"action": "User.update"}), &rows)
		if len(rows) != 1 {
			t.Fatalf("rows %v", rows)
		}
		r := rows[0]
		details, _ := r["details"].(map[string]any)
		if r["actor"] != "mgr" || r["target"] != "erin" || r["tenant"] != "" || r["address"] != "127.0.0.1" ||
			details["first_name"] != "Erin" || details["user_id"] != float64(b.id["erin"]) {
			t.Fatalf("row %v", r)
		}
		at, err := time.Parse("2006-01-02T15:04:05", r["at"].(string))
		if err != nil || time.Since(at) > time.Minute {
			t.Fatalf("at %v: %v", r["at"], err)
		}
		// A refused change left no row.
		if n := count(t, conn, "SELECT count(*) FROM audit_log WHERE target = 'admin' AND action = 'User.update'"); n != 0 {
			t.Fatalf("%d rows for a refused change", n)
		}
		if got := auditLines(t, b.admin, map[string]any{"tenant": "b"}); strings.Join(got, ",") != "b admin Tenant.create b,b bob TenantGroup.create b-only" {
			t.Fatalf("b's rows %q", got)
		}
	})
	t.Run("OKTenantAdministratorsSeeTheirTenant", func(t *testing.T) {
		for _, who := range []func(string, ...any) jsonResponse{b.call("dave", "tenant"), b.aliceA} {
			got := auditLines(t, who, map[string]any{})
			if len(got) == 0 {
				t.Fatal("no rows")
			}
			for _, l := range got {
				if !strings.HasPrefix(l, "a ") {
					t.Fatalf("a tenant administrator of a sees %q", l)
				}
			}
			if n := len(auditLines(t, who, map[string]any{"tenant": "b"})); n != 0 {
				t.Fatalf("a's administrator sees %d of b's rows", n)
			}
		}
		if got := auditLines(t, b.bobB, map[string]any{}); strings.Join(got, ",") != "b admin Tenant.create b,b bob TenantGroup.create b-only" {
			t.Fatalf("bob sees %q in b", got)
		}
	})
	t.Run("OKXMLRPCAndPaging", func(t *testing.T) {
		var rows []map[string]any
		if err := b.xmlAt("", adminName, adminPass).Call("Audit.filter", []any{map[string]any{"actor": "alice"}}, &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) < 2 {
			t.Fatalf("rows %v", rows)
		}
		if _, ok := rows[0]["at"].(time.Time); !ok {
			t.Fatalf("at %#v", rows[0]["at"])
		}
		if id, ok := rows[0]["details"].(map[string]any)["user_id"].(int64); !ok || id == 0 {
			t.Fatalf("details %#v: ids go out as ints", rows[0]["details"])
		}
		first := rows[0]["id"].(int64)
		var rest []map[string]any
		result(t, b.admin("Audit.filter", map[string]any{"actor": "alice", "id__gt": first}), &rest)
		if len(rest) != len(rows)-1 {
			t.Fatalf("paging: %d then %d", len(rows), len(rest))
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		wantFault(t, b.call("erin", "tenant")("Audit.filter", map[string]any{}), CodeAuth, `Authentication failed when calling "Audit.filter": permission admin.view_logentry required`)
		wantFault(t, b.call("mgr", "public")("Audit.filter", map[string]any{}), CodeAuth, `Authentication failed when calling "Audit.filter": permission admin.view_logentry required`)
		// dave's labels in a do not count at the public address.
		wantFault(t, b.call("dave", "public")("Audit.filter", map[string]any{}), CodeAuth, "Authentication failed")
		// Rows cannot be changed or deleted over RPC.
		for _, m := range []string{"Audit.update", "Audit.remove", "Audit.create"} {
			wantFault(t, b.admin(m, 1, map[string]any{}), CodeNoMethod, "Method not found")
		}
	})
	t.Run("ErrInput", func(t *testing.T) {
		wantFault(t, b.admin("Audit.filter", map[string]any{"details": "x"}), CodeInternal, "Internal error: Cannot resolve keyword 'details' into field.")
		wantFault(t, b.admin("Audit.filter", map[string]any{"at__gt": "yesterday"}), CodeInternal, "Internal error: ")
	})
}

// TestAuditCoversPublicReaders: in a publicly readable tenant, anonymous
// and unauthorised callers read test data, never the audit log,
// invitations or who holds which label.
func TestAuditCoversPublicReaders(t *testing.T) {
	b := mustTenantBed(t, func(*Config) {})
	result(t, b.admin("Tenant.update", "a", map[string]any{"publicly_readable": true}), new(any))
	for _, user := range []string{"", "carol"} {
		call := b.at("/t/a", user, user+"-pass")
		result(t, call("Product.filter", map[string]any{}), new(any))
		for _, m := range []string{"Audit.filter", "Invitation.filter", "Permission.export"} {
			wantFault(t, call(m, map[string]any{}), CodeAuth, fmt.Sprintf("Authentication failed when calling %q", m))
		}
	}
}

// TestAuditCoversTokensAndGrants: the changes outside the scope matrix,
// API tokens and object grants, are logged too.
func TestAuditCoversTokensAndGrants(t *testing.T) {
	ts := mustServer(t)
	conn := ts.mustDB()
	tester, admin := ts.at("", userName, userPass), ts.at("", adminName, adminPass)
	var tok wireToken
	result(t, tester("Auth.create_token", "ci"), &tok)
	result(t, tester("Auth.revoke_token", tok.ID), new(any))
	caseID, _ := mustCase(t, conn, "P")
	grant := map[string]any{"user": userName, "permission": "testcases.view_testcase", "object_type": "TestCase", "object_id": caseID}
	result(t, admin("ObjectPermission.grant", grant), new(any))
	result(t, admin("ObjectPermission.grant", grant), new(any)) // unchanged: no row
	result(t, admin("ObjectPermission.revoke", grant), new(any))
	got := auditLines(t, admin, map[string]any{"action__in": []string{"Auth.create_token", "Auth.revoke_token", "ObjectPermission.grant", "ObjectPermission.revoke"}})
	want := []string{" tester Auth.create_token tester", " tester Auth.revoke_token tester",
		fmt.Sprintf(" admin ObjectPermission.grant TestCase %d", caseID), fmt.Sprintf(" admin ObjectPermission.revoke TestCase %d", caseID)}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("rows %q, want %q", got, want)
	}
	var secret int
	conn.QueryRow(t.Context(), "SELECT count(*) FROM audit_log WHERE details::text LIKE '%tcms\\_%'").Scan(&secret)
	if secret != 0 {
		t.Fatal("a token went into the audit log")
	}
}
