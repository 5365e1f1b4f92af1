package rpc

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
)

// TestBotTokens: an administrator gives a bot account a token without
// knowing its password; a user manager may do so only for accounts whose
// every label it holds.
func TestBotTokens(t *testing.T) {
	b := mustTrustBed(t)
	ctx := t.Context()
	// bot holds one label mgr holds; bigbot also one mgr does not.
	for name, groups := range map[string][]string{"bot": {"Empty"}, "bigbot": {store.TesterGroup}} {
		if _, err := b.Store.CreateUser(ctx, store.System, store.NewUser{Username: name, Groups: groups}); err != nil {
			t.Fatal(err)
		}
	}
	result(t, b.admin("User.add_permission", "bot", "auth.view_user"), new(any))
	admin, mgr := b.call(adminName, "public"), b.call("mgr", "public")

	t.Run("OK", func(t *testing.T) {
		var tok wireToken
		result(t, admin("User.create_token", "bot", "pipeline", 30), &tok)
		if !strings.HasPrefix(tok.Token, store.TokenPrefix) || tok.Name != "pipeline" || tok.ExpiresAt == nil {
			t.Fatalf("token %+v", tok)
		}
		if r := b.bearer("/t/public", tok.Token)("User.filter", map[string]any{"username": "bot"}); r.Error != nil {
			t.Fatalf("the bot's token: %s", r.Error.Message)
		}
		var mine wireToken
		result(t, mgr("User.create_token", "bot", "by-mgr"), &mine)
		var list []map[string]any
		result(t, mgr("User.tokens", "bot"), &list)
		if len(list) != 2 || list[0]["name"] != "pipeline" || list[1]["token"] != nil {
			t.Fatalf("tokens %v", list)
		}
		result(t, mgr("User.revoke_token", "bot", tok.ID), new(any))
		wantFault(t, b.bearer("/t/public", tok.Token)("KiwiTCMS.version"), CodeAuth, "Authentication failed")
		if r := b.bearer("/t/public", mine.Token)("KiwiTCMS.version"); r.Error != nil {
			t.Fatal("revoking one token revoked another")
		}
		// Auth.* keep working on the caller's own tokens.
		var own []map[string]any
		result(t, admin("Auth.tokens"), &own)
		if len(own) != 0 {
			t.Fatalf("admin's own tokens: %v", own)
		}
	})
	t.Run("OKXMLRPC", func(t *testing.T) {
		c := b.xmlAt("", adminName, adminPass)
		var tok map[string]any
		if err := c.Call("User.create_token", []any{"bot", "xml"}, &tok); err != nil || tok["expires_at"] != nil {
			t.Fatalf("%v %v", tok, err)
		}
		var list []map[string]any
		if err := c.Call("User.tokens", []any{"bot"}, &list); err != nil || len(list) != 2 {
			t.Fatalf("%v %v", list, err)
		}
		if err := c.Call("User.revoke_token", []any{"bot", tok["id"]}, nil); err != nil {
			t.Fatal(err)
		}
		wantXMLFault(t, c.Call("User.revoke_token", []any{"bot", tok["id"]}, nil), CodeInternal, "Internal error: Token matching query does not exist.")
	})
	t.Run("ErrEscalation", func(t *testing.T) {
		before := tokenCount(t, b.mustDB())
		// A token acts as its account: mgr cannot mint one for an account
		// holding more than it does, for a superuser, nor for someone working
		// in a tenant where mgr holds less.
		wantFault(t, mgr("User.create_token", "bigbot", "x"), CodeInternal, "Internal error: You cannot change bigbot: it holds ")
		wantFault(t, mgr("User.tokens", "bigbot"), CodeInternal, "Internal error: You cannot change bigbot: it holds ")
		wantFault(t, mgr("User.create_token", adminName, "x"), CodeInternal, "Internal error: Only a superuser can change the superuser admin.")
		wantFault(t, mgr("User.create_token", "dave", "x"), CodeInternal, "Internal error: You cannot change user ")
		wantFault(t, mgr("User.revoke_token", "bigbot", 1), CodeInternal, "Internal error: You cannot change bigbot")
		// Labels from a tenant's groups do not count: dave administers a.
		wantFault(t, b.call("dave", "tenant")("User.create_token", "erin", "x"), CodeAuth, `Authentication failed when calling "User.create_token": permission auth.change_user required, held globally`)
		wantFault(t, b.call("erin", "public")("User.tokens", "bot"), CodeAuth, `Authentication failed when calling "User.tokens": permission auth.change_user required`)
		if tokenCount(t, b.mustDB()) != before {
			t.Fatal("a refused call made a token")
		}
	})
	t.Run("ErrInput", func(t *testing.T) {
		for _, c := range []struct {
			method string
			params []any
			code   int
			msg    string
		}{
			{"User.create_token", []any{"nobody", "x"}, CodeInternal, `Internal error: Unknown user: "nobody"`},
			{"User.create_token", []any{nil, "x"}, CodeInternal, "Internal error: user: This field is required."},
			{"User.create_token", []any{[]any{"bot"}, "x"}, CodeInternal, "Internal error: user: Expected a user id or username."},
			{"User.create_token", []any{"bot", ""}, CodeInternal, "Internal error: name: This field is required."},
			{"User.create_token", []any{"bot", "x", -1}, CodeInternal, "Internal error: expires_in_days: Ensure this value is greater than or equal to 0."},
			{"User.create_token", []any{"bot", "by-mgr"}, CodeInternal, "Internal error: Token with this Name already exists."},
			{"User.revoke_token", []any{"bot", 99999}, CodeInternal, "Internal error: Token matching query does not exist."},
			{"User.tokens", []any{}, CodeInvalidParams, "Invalid parameters: expected 1 parameter, got 0"},
		} {
			wantFault(t, admin(c.method, c.params...), c.code, c.msg)
		}
	})
}

func tokenCount(t *testing.T, conn *pgx.Conn) (n int) {
	t.Helper()
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM api_tokens").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// inSchema runs fn on conn with the search path of a tenant's schema.
func inSchema(t *testing.T, conn *pgx.Conn, schema string, fn func()) {
	t.Helper()
	mustExec(t, conn, "SELECT set_config('search_path', $1, false)", schema+", public")
	defer mustExec(t, conn, "SELECT set_config('search_path', 'public', false)")
	fn()
}

// TestUserRemove: the account goes, with its sessions, tokens, memberships
// and grants; what it authored stays, in every tenant.
func TestUserRemove(t *testing.T) {
	b := mustTrustBed(t)
	ctx := t.Context()
	conn := b.mustDB()
	leaver, err := b.Store.CreateUser(ctx, store.System, store.NewUser{Username: "leaver", Password: "leaver-pass-1", Email: "leaver@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	result(t, b.aliceA("Tenant.add_authorized_user", "leaver"), new(any))
	result(t, b.admin("User.add_permission", "leaver", "testruns.view_testrun"), new(any))
	var session string
	result(t, b.at("/t/public", "", "")("Auth.login", "leaver", "leaver-pass-1"), &session)
	var tok wireToken
	result(t, b.bearer("/t/public", session)("Auth.create_token", "ci"), &tok)
	token := tok.Token
	// A case in public and one in tenant a, each authored, tested and owned
	// (component) by the leaver.
	var cases [2]int64
	for i, schema := range []string{"public", "a"} {
		inSchema(t, conn, schema, func() {
			cases[i], _ = mustCase(t, conn, "P-"+schema)
			mustExec(t, conn, "UPDATE test_cases SET author_id = $1, default_tester_id = $1", leaver.ID)
			mustExec(t, conn, "UPDATE components SET initial_owner_id = $1", leaver.ID)
		})
	}
	admin := b.call(adminName, "public")
	result(t, b.admin("Group.add_permission", b.empty, "auth.delete_user"), new(any))
	result(t, b.admin("Group.add_user", b.empty, "mgr"), new(any))

	t.Run("ErrRefused", func(t *testing.T) {
		wantFault(t, admin("User.remove", adminName), CodeInternal, "Internal error: admin is the last active superuser; it cannot be removed.")
		wantFault(t, admin("User.remove", "alice"), CodeInternal, "Internal error: alice owns tenant a: give the tenant another owner with Tenant.update first.")
		wantFault(t, b.call("mgr", "public")("User.remove", adminName), CodeInternal, "Internal error: Only a superuser can change the superuser admin.")
		wantFault(t, b.call("erin", "public")("User.remove", "leaver"), CodeAuth, `Authentication failed when calling "User.remove": permission auth.delete_user required`)
		wantFault(t, b.call("alice", "tenant")("User.remove", "leaver"), CodeAuth, "Authentication failed")
		wantFault(t, admin("User.remove", "nobody"), CodeInternal, `Internal error: Unknown user: "nobody"`)
		wantFault(t, admin("User.remove", nil), CodeInternal, "Internal error: user_id: This field is required.")
		if _, ok := b.userNamed(t, "leaver"); !ok {
			t.Fatal("a refused removal removed")
		}
	})
	t.Run("OK", func(t *testing.T) {
		result(t, b.call("mgr", "public")("User.remove", "leaver"), new(any))
		if _, ok := b.userNamed(t, "leaver"); ok {
			t.Fatal("leaver is still there")
		}
		wantFault(t, b.bearer("/t/public", session)("KiwiTCMS.version"), CodeAuth, "Authentication failed")
		wantFault(t, b.bearer("/t/public", token)("KiwiTCMS.version"), CodeAuth, "Authentication failed")
		for i, call := range []func(string, ...any) jsonResponse{admin, b.aliceA} {
			var got []map[string]any
			result(t, call("TestCase.filter", map[string]any{"pk": cases[i]}), &got)
			if len(got) != 1 || got[0]["author__username"] != store.RemovedUser || got[0]["default_tester"] != nil {
				t.Fatalf("case %d: %v", i, got)
			}
			var comps []map[string]any
			result(t, call("Component.filter", map[string]any{"product__name": []string{"P-public", "P-a"}[i]}), &comps)
			if len(comps) != 1 || comps[0]["initial_owner"] != nil {
				t.Fatalf("components %v", comps)
			}
		}
		for _, table := range []string{"user_permissions", "tenant_authorized_users", "api_tokens", "sessions"} {
			if n := count(t, conn, "SELECT count(*) FROM "+table+" WHERE user_id = $1", leaver.ID); n != 0 {
				t.Fatalf("%d rows of %s", n, table)
			}
		}
		// The placeholder keeps the records, and is itself kept.
		wantFault(t, admin("User.remove", store.RemovedUser), CodeInternal, "Internal error: (removed user) keeps the records of removed users; it cannot be removed.")
		wantFault(t, admin("User.create", map[string]any{"username": store.RemovedUser}), CodeInternal, `Internal error: username: "(removed user)" is reserved.`)
	})
	t.Run("OKSuperuserByASuperuser", func(t *testing.T) {
		if _, err := b.Store.CreateUser(ctx, store.System, store.NewUser{Username: "root2", IsSuperuser: true}); err != nil {
			t.Fatal(err)
		}
		c := b.xmlAt("", adminName, adminPass)
		if err := c.Call("User.remove", []any{"root2"}, nil); err != nil {
			t.Fatal(err)
		}
		wantXMLFault(t, c.Call("User.remove", []any{adminName}, nil), CodeInternal, "Internal error: admin is the last active superuser; it cannot be removed.")
	})
}

// bearer returns a JSON-RPC caller at a path prefix sending a session or
// API token as Authorization: Bearer.
func (ts *testServer) bearer(prefix, token string) func(string, ...any) jsonResponse {
	return func(method string, params ...any) jsonResponse {
		ts.t.Helper()
		body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": 1})
		_, text := ts.post(prefix+"/json-rpc/", "application/json", string(body), "Authorization", "Bearer "+token)
		var r jsonResponse
		if err := json.Unmarshal([]byte(text), &r); err != nil {
			ts.t.Fatalf("%s: %v in %s", method, err, text)
		}
		return r
	}
}
