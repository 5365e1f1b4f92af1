package session

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddress(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.1:1234":           "192.0.2.1",
		"[2001:db8:1:2:3::4]:1234": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::]:9":  "2001:db8:1:2::/64",
		"[::ffff:192.0.2.1]:1234":  "192.0.2.1",
		"not an address":           "not an address",
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = addr
		if got := ClientAddress(r); got != want {
			t.Errorf("ClientAddress(%q) = %q, want %q", addr, got, want)
		}
	}
}
