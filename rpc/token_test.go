package rpc

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kolo/xmlrpc"

	"github.com/tcms/tcms/store/storetest"
)

// wireToken is Auth.create_token's reply as a JSON client reads it.
type wireToken struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Token     string  `json:"token"`
	ExpiresAt *string `json:"expires_at"`
}

// createToken makes an API token over JSON-RPC as the holder of bearer.
func (ts *testServer) createToken(bearer, name string, params ...any) wireToken {
	ts.t.Helper()
	r := ts.jsonCall("Auth.create_token", append([]any{name}, params...), "Authorization", "Bearer "+bearer)
	if r.Error != nil {
		ts.t.Fatalf("create_token %s: %s", name, r.Error.Message)
	}
	var tok wireToken
	if err := json.Unmarshal(r.Result, &tok); err != nil {
		ts.t.Fatal(err)
	}
	return tok
}

func TestAuthCreateToken(t *testing.T) {
	ts := mustServer(t)
	session := ts.login(userName, userPass)
	bearer := []string{"Authorization", "Bearer " + session}

	t.Run("OK", func(t *testing.T) {
		r := ts.jsonCall("Auth.create_token", []any{"ci", 30}, bearer...)
		var m map[string]any
		if r.Error != nil || json.Unmarshal(r.Result, &m) != nil {
			t.Fatalf("got %+v %s", r.Error, r.Result)
		}
		token, _ := m["token"].(string)
		if len(m) != 5 || m["name"] != "ci" || !strings.HasPrefix(token, "tcms_") || m["created_at"] == nil {
			t.Fatalf("got %s", r.Result)
		}
		exp, err := time.Parse("2006-01-02T15:04:05", m["expires_at"].(string))
		if err != nil || exp.Sub(time.Now().AddDate(0, 0, 30)).Abs() > 2*time.Hour {
			t.Errorf("expires_at %v, want in 30 days: %v", m["expires_at"], err)
		}
		// The token authenticates as its user, as Bearer and as Basic password.
		if r := ts.jsonCall("KiwiTCMS.version", nil, "Authorization", "Bearer "+token); r.Error != nil {
			t.Fatalf("Bearer token: %s", r.Error.Message)
		}
		if r := ts.basicCall(userName, token); r.Error != nil {
			t.Fatalf("Basic token: %s", r.Error.Message)
		}
		wantFault(t, ts.basicCall(adminName, token), CodeAuth, `Authentication failed when calling "KiwiTCMS.version": login required`)
	})
	t.Run("OKNeverExpires", func(t *testing.T) {
		tok := ts.createToken(session, "forever")
		if tok.ExpiresAt != nil {
			t.Errorf("expires_at %v", tok.ExpiresAt)
		}
		if tok := ts.createToken(session, "forever too", 0); tok.ExpiresAt != nil {
			t.Errorf("expires_at %v", tok.ExpiresAt)
		}
	})
	t.Run("OKXMLRPC", func(t *testing.T) {
		c := ts.xmlClient()
		var token string
		if err := c.Call("Auth.login", []any{userName, userPass}, &token); err != nil {
			t.Fatal(err)
		}
		var tok map[string]any
		if err := c.Call("Auth.create_token", []any{"xml", 1}, &tok); err != nil {
			t.Fatal(err)
		}
		if tok["name"] != "xml" || !strings.HasPrefix(tok["token"].(string), "tcms_") {
			t.Fatalf("got %v", tok)
		}
		if _, ok := tok["expires_at"].(time.Time); !ok {
			t.Errorf("expires_at %#v, want a dateTime", tok["expires_at"])
		}
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		wantFault(t, ts.jsonCall("Auth.create_token", []any{"x"}), CodeAuth, `Authentication failed when calling "Auth.create_token": login required`)
		f, _ := ts.xmlFault(`<methodCall><methodName>Auth.create_token</methodName><params><param><value>x</value></param></params></methodCall>`)
		if f == nil || f.Code != CodeAuth {
			t.Fatalf("got %v", f)
		}
	})
	t.Run("ErrDuplicateName", func(t *testing.T) {
		ts.createToken(session, "dup")
		wantFault(t, ts.jsonCall("Auth.create_token", []any{"dup"}, bearer...), CodeInternal, "Internal error: Token with this Name already exists.")
	})
	t.Run("ErrInput", func(t *testing.T) {
		for _, c := range []struct {
			params []any
			code   int
			msg    string
		}{
			{[]any{""}, CodeInternal, "Internal error: name: This field is required."},
			{[]any{strings.Repeat("n", 101)}, CodeInternal, "Internal error: name: Ensure this value has at most 100 characters (it has 101)."},
			{[]any{"x", -1}, CodeInternal, "Internal error: expires_in_days: Ensure this value is greater than or equal to 0."},
			{[]any{"x", 3651}, CodeInternal, "Internal error: expires_in_days: Ensure this value is less than or equal to 3650."},
			{[]any{"x", "soon"}, CodeInvalidParams, "Invalid parameters: expires_in_days:"},
			{[]any{}, CodeInvalidParams, "Invalid parameters: expected 1 to 2 parameters, got 0"},
		} {
			wantFault(t, ts.jsonCall("Auth.create_token", c.params, bearer...), c.code, c.msg)
		}
	})
}

func TestAuthTokens(t *testing.T) {
	ts := mustServer(t)
	session := ts.login(userName, userPass)
	a := ts.createToken(session, "a")
	b := ts.createToken(session, "b", 7)
	ts.createToken(ts.login(adminName, adminPass), "admin's")

	t.Run("OK", func(t *testing.T) {
		r := ts.jsonCall("Auth.tokens", nil, "Authorization", "Bearer "+a.Token)
		if r.Error != nil {
			t.Fatal(r.Error.Message)
		}
		if strings.Contains(string(r.Result), "tcms_") || strings.Contains(string(r.Result), "hash") {
			t.Fatalf("secret in %s", r.Result)
		}
		var list []map[string]any
		json.Unmarshal(r.Result, &list)
		if len(list) != 2 || list[0]["name"] != "a" || list[1]["name"] != "b" || list[0]["id"].(float64) != float64(a.ID) ||
			list[1]["id"].(float64) != float64(b.ID) || list[0]["expires_at"] != nil || list[1]["expires_at"] == nil ||
			list[0]["last_used_at"] == nil || list[1]["last_used_at"] != nil {
			t.Fatalf("got %s", r.Result)
		}
	})
	t.Run("OKXMLRPC", func(t *testing.T) {
		f, resp := ts.xmlFault(`<methodCall><methodName>Auth.tokens</methodName><params/></methodCall>`, "Authorization", "Bearer "+session)
		var list []map[string]any
		if f != nil || resp.Unmarshal(&list) != nil || len(list) != 2 {
			t.Fatalf("got %v %s", f, resp)
		}
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		wantFault(t, ts.jsonCall("Auth.tokens", nil), CodeAuth, `Authentication failed when calling "Auth.tokens": login required`)
	})
	t.Run("ErrParams", func(t *testing.T) {
		wantFault(t, ts.jsonCall("Auth.tokens", []any{1}, "Authorization", "Bearer "+session), CodeInvalidParams, "Invalid parameters: expected 0 parameters, got 1")
	})
}

func TestAuthRevokeToken(t *testing.T) {
	ts := mustServer(t)
	session := ts.login(userName, userPass)
	bearer := []string{"Authorization", "Bearer " + session}
	tok := ts.createToken(session, "ci")
	if r := ts.jsonCall("KiwiTCMS.version", nil, "Authorization", "Bearer "+tok.Token); r.Error != nil {
		t.Fatal(r.Error.Message)
	}

	t.Run("ErrOtherUsersToken", func(t *testing.T) {
		admin := ts.login(adminName, adminPass)
		wantFault(t, ts.jsonCall("Auth.revoke_token", []any{tok.ID}, "Authorization", "Bearer "+admin),
			CodeInternal, "Internal error: Token matching query does not exist.")
	})
	t.Run("OK", func(t *testing.T) {
		if r := ts.jsonCall("Auth.revoke_token", []any{tok.ID}, bearer...); r.Error != nil || string(r.Result) != "null" {
			t.Fatalf("got %+v %s", r.Error, r.Result)
		}
		wantFault(t, ts.jsonCall("KiwiTCMS.version", nil, "Authorization", "Bearer "+tok.Token), CodeAuth, `Authentication failed`)
		wantFault(t, ts.basicCall(userName, tok.Token), CodeAuth, `Authentication failed`)
		wantFault(t, ts.jsonCall("Auth.revoke_token", []any{tok.ID}, bearer...), CodeInternal, "Internal error: Token matching query does not exist.")
	})
	t.Run("OKKeywords", func(t *testing.T) {
		tok := ts.createToken(session, "kw")
		body := fmt.Sprintf(`{"jsonrpc":"2.0","method":"Auth.revoke_token","params":{"id":%d},"id":1}`, tok.ID)
		if _, text := ts.post("/json-rpc/", "application/json", body, bearer...); !strings.Contains(text, `"result":null`) {
			t.Fatalf("got %s", text)
		}
		body = `{"jsonrpc":"2.0","method":"Auth.create_token","params":{"name":"kw2","expires_in_days":3},"id":1}`
		if _, text := ts.post("/json-rpc/", "application/json", body, bearer...); !strings.Contains(text, `"token":"tcms_`) {
			t.Fatalf("got %s", text)
		}
	})
	t.Run("OKXMLRPC", func(t *testing.T) {
		tok := ts.createToken(session, "xml")
		c, err := xmlrpc.NewClient(ts.URL+"/xml-rpc/", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var token string
		c.Call("Auth.login", []any{userName, userPass}, &token)
		if err := c.Call("Auth.revoke_token", []any{tok.ID}, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		wantFault(t, ts.jsonCall("Auth.revoke_token", []any{1}), CodeAuth, `Authentication failed when calling "Auth.revoke_token": login required`)
	})
	t.Run("ErrParams", func(t *testing.T) {
		wantFault(t, ts.jsonCall("Auth.revoke_token", []any{"one"}, bearer...), CodeInvalidParams, "Invalid parameters: id:")
	})
}

func TestTokenOfInactiveUser(t *testing.T) {
	ts := mustServer(t)
	tok := ts.createToken(ts.login(userName, userPass), "ci")
	u, err := ts.Store.Authenticate(t.Context(), userName, userPass)
	if err != nil {
		t.Fatal(err)
	}
	if err := storetest.SetActive(t.Context(), ts.Store, u.ID, false); err != nil {
		t.Fatal(err)
	}
	wantFault(t, ts.jsonCall("KiwiTCMS.version", nil, "Authorization", "Bearer "+tok.Token), CodeAuth, `Authentication failed`)
}
