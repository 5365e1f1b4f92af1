package rpc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tcms/tcms/store"
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
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": 1})
	req := httptest.NewRequest("POST", "/json-rpc/", strings.NewReader(string(body)))
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

func TestLoginRateLimit(t *testing.T) {
	ts := mustServerWith(t, func(c *Config) { c.LoginRate = 6 }) // 6 a minute: one per 10 s
	const attacker, other = "192.0.2.1:4000", "198.51.100.7:4000"

	t.Run("ErrBurst", func(t *testing.T) {
		for i := range 6 {
			wantFault(t, ts.callFrom(attacker, "Auth.login", []any{fmt.Sprint("ghost", i), "guess"}), CodeInternal, "Internal error: Wrong username or password")
		}
		wantFault(t, ts.callFrom(attacker, "Auth.login", []any{userName, userPass}), CodeInternal,
			"Internal error: Too many login attempts from this address; try again in 10 s")
		// Another port is the same address; X-Forwarded-For is not trusted.
		wantFault(t, ts.callFrom("192.0.2.1:4001", "Auth.login", []any{userName, userPass}, "X-Forwarded-For", "203.0.113.9"),
			CodeInternal, "Internal error: Too many login attempts")
	})
	t.Run("OKOtherAddress", func(t *testing.T) {
		if r := ts.callFrom(other, "Auth.login", []any{userName, userPass}); r.Error != nil {
			t.Fatal(r.Error.Message)
		}
	})
	t.Run("ErrBasicOverLimit", func(t *testing.T) {
		req, _ := http.NewRequest("POST", "/", nil)
		req.SetBasicAuth(userName, userPass)
		basic := []string{"Authorization", req.Header.Get("Authorization")}
		wantFault(t, ts.callFrom(attacker, "KiwiTCMS.version", nil, basic...), CodeAuth,
			`Authentication failed when calling "KiwiTCMS.version": too many login attempts`)
		// Verified elsewhere, the credentials are cached: a cache hit is free.
		if r := ts.callFrom(other, "KiwiTCMS.version", nil, basic...); r.Error != nil {
			t.Fatal(r.Error.Message)
		}
		if r := ts.callFrom(attacker, "KiwiTCMS.version", nil, basic...); r.Error != nil {
			t.Fatalf("cached credentials refused: %s", r.Error.Message)
		}
	})
}

func TestLimiter(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	t.Run("OKPeriodicLogin", func(t *testing.T) {
		l := newLimiter(DefaultLoginRate)
		for i := range 1000 { // a CI job logging in every 4 minutes
			if ok, _ := l.allow("10.0.0.1", t0.Add(time.Duration(i)*4*time.Minute)); !ok {
				t.Fatalf("refused at login %d", i)
			}
		}
	})
	t.Run("ErrBurstThenRefill", func(t *testing.T) {
		l := newLimiter(20)
		for i := range 20 {
			if ok, _ := l.allow("a", t0); !ok {
				t.Fatalf("refused at %d", i)
			}
		}
		ok, wait := l.allow("a", t0)
		if ok || wait != 3*time.Second {
			t.Fatalf("21st: %v, wait %v", ok, wait)
		}
		if ok, _ := l.allow("b", t0); !ok {
			t.Fatal("another key refused")
		}
		if ok, _ := l.allow("a", t0.Add(3*time.Second)); !ok {
			t.Fatal("refused after a refill")
		}
	})
	t.Run("EvictsIdle", func(t *testing.T) {
		l := newLimiter(20)
		for i := range 100 {
			l.allow(string(rune('a'+i)), t0)
		}
		l.allow("late", t0.Add(2*time.Minute))
		if len(l.buckets) != 1 {
			t.Fatalf("%d buckets after everyone went quiet", len(l.buckets))
		}
	})
}

func TestClientKey(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.1:1234":           "192.0.2.1",
		"[2001:db8:1:2:3::4]:1234": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::]:9":  "2001:db8:1:2::/64",
		"[::ffff:192.0.2.1]:1234":  "192.0.2.1",
		"not an address":           "not an address",
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = addr
		if got := clientKey(r); got != want {
			t.Errorf("clientKey(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestLoginLockout(t *testing.T) {
	ts := mustServer(t)
	const name, pass = "locky", "locky-pass-1"
	u, err := ts.Store.CreateUser(t.Context(), store.NewUser{Username: name, Password: pass})
	if err != nil {
		t.Fatal(err)
	}
	const locked = "Internal error: Account is locked after too many failed logins; try again later or ask an administrator to unlock it"
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
	wantFault(t, ts.basicCall(name, pass), CodeAuth, `Authentication failed when calling "KiwiTCMS.version": login required`)
	// Others are not affected.
	ts.login(userName, userPass)

	if err := ts.Store.UnlockUser(t.Context(), u.ID); err != nil {
		t.Fatal(err)
	}
	ts.login(name, pass)
	if r := ts.basicCall(name, pass); r.Error != nil {
		t.Fatal(r.Error.Message)
	}
}
