package rpc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// basicCall calls KiwiTCMS.version with HTTP Basic credentials.
func (ts *testServer) basicCall(user, pass string) jsonResponse {
	ts.t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+"/json-rpc/", nil)
	req.SetBasicAuth(user, pass)
	return ts.jsonCall("KiwiTCMS.version", nil, "Authorization", req.Header.Get("Authorization"))
}

// callFrom makes one JSON-RPC call as if from the address addr, going
// straight to the handler (a real connection always comes from 127.0.0.1).
func (ts *testServer) callFrom(addr, method string, params []any, header ...string) jsonResponse {
	ts.t.Helper()
	return ts.from(addr, "", header...)(method, params...)
}

// from returns a JSON-RPC caller at a path prefix ("" or "/t/<schema>")
// that calls as callFrom does.
func (ts *testServer) from(addr, prefix string, header ...string) func(string, ...any) jsonResponse {
	return func(method string, params ...any) jsonResponse {
		ts.t.Helper()
		body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": 1})
		req := httptest.NewRequest("POST", prefix+"/json-rpc/", strings.NewReader(string(body)))
		req.RemoteAddr = addr
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		ts.srv.ServeHTTP(w, req)
		var r jsonResponse
		if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
			ts.t.Fatalf("%s: %v in %s", method, err, w.Body)
		}
		return r
	}
}

// TestLoginThrottle is issue 15's "done when": a CI farm behind one
// address logs in as often as it likes, guessing from one address is
// throttled, API tokens are never throttled, and two servers sharing the
// database share the counts.
func TestLoginThrottle(t *testing.T) {
	ts := mustServer(t) // the default policy: 50 failures per address per 15 min
	const farm, attacker, other = "192.0.2.10:4000", "192.0.2.66:4000", "198.51.100.7:4000"
	tokenOf := func() string {
		var tok map[string]any
		result(t, ts.callFrom(other, "Auth.create_token", []any{"ci"}, "Authorization", "Bearer "+ts.login(userName, userPass)), &tok)
		return tok["token"].(string)
	}
	token := tokenOf()

	t.Run("OKBurstOfCorrectLogins", func(t *testing.T) {
		for i := range 100 {
			if r := ts.callFrom(fmt.Sprintf("192.0.2.10:%d", 5000+i), "Auth.login", []any{userName, userPass}); r.Error != nil {
				t.Fatalf("login %d: %s", i, r.Error.Message)
			}
		}
		for i := range 100 { // HTTP Basic, each a new client: the cache may not hold it, nothing is counted
			if r := ts.callFrom(farm, "KiwiTCMS.version", nil, "Authorization", basic(userName, userPass)); r.Error != nil {
				t.Fatalf("Basic call %d: %s", i, r.Error.Message)
			}
		}
	})
	t.Run("ErrGuessing", func(t *testing.T) {
		refused := 0
		for i := range 60 {
			r := ts.callFrom(attacker, "Auth.login", []any{fmt.Sprint("user", i%7), "guess"})
			switch {
			case r.Error == nil:
				t.Fatal("a guess logged in")
			case strings.HasPrefix(r.Error.Message, "Internal error: Too many failed logins from this address; try again in "):
				refused++
			default:
				wantFault(t, r, CodeInternal, "Internal error: Wrong username or password")
			}
		}
		if refused < 10 {
			t.Fatalf("only %d of 60 guesses throttled", refused)
		}
		// Throttled: the right password is refused from there too, over
		// both ways of logging in, and another port is the same address;
		// X-Forwarded-For is not trusted.
		wantFault(t, ts.callFrom("192.0.2.66:4001", "Auth.login", []any{userName, userPass}, "X-Forwarded-For", "203.0.113.9"),
			CodeInternal, "Internal error: Too many failed logins")
		wantFault(t, ts.callFrom(attacker, "KiwiTCMS.version", nil, "Authorization", basic(adminName, adminPass)), CodeAuth,
			`Authentication failed when calling "KiwiTCMS.version": login required: HTTP Basic credentials refused: Too many failed logins from this address`)
		if r := ts.callFrom(other, "Auth.login", []any{userName, userPass}); r.Error != nil {
			t.Fatalf("another address: %s", r.Error.Message)
		}
	})
	t.Run("OKTokensNeverThrottled", func(t *testing.T) {
		for _, h := range []string{"Bearer " + token, basic(userName, token)} {
			var v string
			result(t, ts.callFrom(attacker, "KiwiTCMS.version", nil, "Authorization", h), &v)
		}
	})
	t.Run("ErrSharedByServers", func(t *testing.T) {
		st, err := store.Open(t.Context(), ts.DBURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(st.Close)
		second, err := New(Config{Store: st, Secret: ts.srv.cfg.Secret})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", "/json-rpc/", strings.NewReader(`{"jsonrpc":"2.0","method":"Auth.login","params":["tester","tester-pass-1"],"id":1}`))
		req.RemoteAddr, req.Header["Content-Type"] = attacker, []string{"application/json"}
		w := httptest.NewRecorder()
		second.ServeHTTP(w, req)
		if !strings.Contains(w.Body.String(), "Too many failed logins from this address") {
			t.Fatalf("the second server lets the throttled address in: %s", w.Body)
		}
	})
}

// basic is an HTTP Basic Authorization header.
func basic(user, pass string) string {
	req, _ := http.NewRequest("POST", "/", nil)
	req.SetBasicAuth(user, pass)
	return req.Header.Get("Authorization")
}

func TestLoginLockout(t *testing.T) {
	ts := mustServer(t)
	const name, pass = "locky", "locky-pass-1"
	u, err := ts.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: name, Password: pass})
	if err != nil {
		t.Fatal(err)
	}
	// Locked or not, known or not, the answer is the same.
	const locked = "Internal error: Wrong username or password"
	for range 4 {
		wantFault(t, ts.jsonCall("Auth.login", []any{name, "guess"}), CodeInternal, "Internal error: Wrong username or password")
	}
	wantFault(t, ts.jsonCall("Auth.login", []any{name, "guess"}), CodeInternal, locked)
	wantFault(t, ts.jsonCall("Auth.login", []any{name, pass}), CodeInternal, locked)
	f, _ := ts.xmlFault(`<methodCall><methodName>Auth.login</methodName><params><param><value>` + name +
		`</value></param><param><value>` + pass + `</value></param></params></methodCall>`)
	if f == nil || f.Code != CodeInternal || f.String != locked {
		t.Fatalf("XML-RPC: got %v", f)
	}
	wantFault(t, ts.basicCall(name, pass), CodeAuth, `Authentication failed when calling "KiwiTCMS.version": login required: HTTP Basic credentials refused: Wrong username or password`)
	wantFault(t, ts.basicCall("nobody-at-all", pass), CodeAuth, `Authentication failed when calling "KiwiTCMS.version": login required: HTTP Basic credentials refused: Wrong username or password`)
	// Others are not affected.
	ts.login(userName, userPass)

	if err := storetest.Unlock(t.Context(), ts.Store, u.ID); err != nil {
		t.Fatal(err)
	}
	ts.login(name, pass)
	if r := ts.basicCall(name, pass); r.Error != nil {
		t.Fatal(r.Error.Message)
	}
}
