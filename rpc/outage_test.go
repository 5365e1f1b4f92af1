package rpc

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tcms/tcms/rpc/internal/session"
	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

const unavailable = "Internal error: database unavailable"

func TestDatabaseOutage(t *testing.T) {
	var proxy *storetest.Proxy
	via := func(u string) (through string) {
		proxy, through = storetest.NewProxy(t, u)
		return through
	}
	// Three failed logins per address: the outage must count none, or the
	// checks after it would be refused.
	ts := mustServerOn(t, store.Options{PoolWait: 2 * time.Second}, via, func(c *Config) {
		c.Store.SetLoginPolicy(store.LoginPolicy{MaxFailures: 3, Lockout: time.Minute, PerAddress: 3, PerUser: 3, Window: time.Minute})
	})
	tester := ts.callers(t, userName, userPass) // two logins: a session each
	anonymous := ts.xmlClient()
	ready := func() int { code, _ := ts.get("/readyz"); return code }
	if code := ready(); code != http.StatusOK {
		t.Fatalf("/readyz before the outage: %d", code)
	}
	var got []any
	tester.viaJSON(t, &got, "Product.filter", map[string]any{})

	proxy.Cut(0)
	storetest.HoldsWithin(t, storetest.Patience, "the server notices the outage", func() bool {
		return ts.jsonCall("system.listMethods", nil).Error != nil
	})
	t.Run("ErrEveryCall", func(t *testing.T) {
		if code := ready(); code != http.StatusServiceUnavailable {
			t.Errorf("/readyz: %d", code)
		}
		tester.fault(t, CodeInternal, unavailable, "Product.filter", map[string]any{})
		wantFault(t, ts.jsonCall("TestCase.filter", []any{map[string]any{}}), CodeInternal, unavailable)
		wantFault(t, ts.jsonCall("system.listMethods", nil), CodeInternal, unavailable)
		if err := anonymous.Call("Auth.login", []any{userName, userPass}, new(any)); err == nil || !strings.HasPrefix(err.Error(), "Fault(-32603): "+unavailable) {
			t.Errorf("Auth.login: %v", err)
		}
		if resp, _ := ts.download("/uploads/attachments/testplans.testplan/1/notes.txt", userName, userPass); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("attachment download: HTTP %d", resp.StatusCode)
		}
		for i := range 5 {
			wantFault(t, ts.jsonCall("Product.filter", []any{map[string]any{}}, basicAuth(userName, fmt.Sprint("guess ", i))...), CodeInternal, unavailable)
		}
	})

	proxy.Restore()
	storetest.HoldsWithin(t, storetest.Patience, "the server recovers", func() bool { return ready() == http.StatusOK })
	t.Run("OKAfter", func(t *testing.T) {
		tester.viaJSON(t, &got, "Product.filter", map[string]any{})
		tester.viaXML(t, &got, "Product.filter", map[string]any{})
		// The allowance is whole: this password check is the third.
		result(t, ts.jsonCall("Product.filter", []any{map[string]any{}}, basicAuth(adminName, adminPass)...), &got)
	})
}

// TestDatabaseLostUnnoticed: the pool's connections break while the
// server still believes the database is up (its listener's connection
// survives). Checking a caller's credentials then fails, and the caller
// must hear that the database is unavailable, not that it needs to log in.
func TestDatabaseLostUnnoticed(t *testing.T) {
	var proxy *storetest.Proxy
	via := func(u string) (through string) {
		proxy, through = storetest.NewProxy(t, u)
		return through
	}
	ts := mustServerOn(t, store.Options{PoolWait: 2 * time.Second}, via, func(*Config) {})
	token := ts.login(userName, userPass) // not looked up yet: not cached
	proxy.Cut(1)                          // the listener's connection was the first
	defer proxy.Restore()
	wantFault(t, ts.jsonCall("Product.filter", []any{map[string]any{}}, "Authorization", "Bearer "+token), CodeInternal, unavailable)
	wantFault(t, ts.jsonCall("Product.filter", []any{map[string]any{}}, basicAuth(adminName, adminPass)...), CodeInternal, unavailable)
	wantFault(t, ts.jsonCall("Product.filter", []any{map[string]any{}}, "Cookie", session.Cookie+"="+token), CodeInternal, unavailable)
}
